// iceoryx2 beside shmkit (npm run bench:peers, bench/channel/iceoryx2-cases.ts):
// the same work as bench/c/ring.c and shmkit's channel cases, done with
// iceoryx2's publish-subscribe between two processes. The parent spawns this
// binary again as the second process (`--child`), talks to it over its stdin
// and stdout (ready, counts, done) and over iceoryx2 for everything timed.
//
//   iceoryx2-bench <root> <prefix> pingpong spin|listener|waitset|spin-waitset <seconds> <repeats>
//     round trips of a 64-byte message over two services (ping, pong): the
//     parent loans a sample, writes the message into it (sequence number in
//     the first 8 bytes) and sends it; the child receives it, loans a pong
//     sample, copies the message into it and sends it; the parent receives
//     the reply and copies it out. spin: both sides spin on receive().
//     listener: after each send the sender notifies an event service; a side
//     with nothing to receive sleeps in Listener::timed_wait. waitset: as
//     listener, but a side sleeps in WaitSet::wait_and_process_once on its
//     listener (how iceoryx2's examples wait for samples). spin-waitset: as
//     waitset, but a side first spins on receive() up to 2000 times (the spin
//     phase of ring.c's adaptive mode) before it sleeps.
//   iceoryx2-bench <root> <prefix> msgs <seconds> <repeats> <buffer>
//     64-byte messages one way: loan, write, send per message; the
//     subscriber (buffer <buffer> samples) receives each and checks its
//     sequence number. A full buffer makes send() retry until delivered
//     (BackpressureStrategy::RetryUntilDelivered), so the child counts every
//     message it receives and a repeat ends when it has them all.
//   iceoryx2-bench <root> <prefix> stream <bytes> <repeats> <chunk> <buffer>
//     <bytes> one way in <chunk>-byte samples, each copied in from a source
//     buffer and out into a destination buffer (two copies, as the stream
//     cases of ring.c and shmkit do).
//
// <root> is iceoryx2's root path (its node and service files) and <prefix>
// the prefix of every file it creates, in /dev/shm too: the caller picks both
// per run and removes what is left. Each mode calibrates its count so one
// repeat takes about <seconds> (stream: <bytes> per repeat) after a warm-up,
// then prints {"nsPerOp":[...]}: ns per round trip, per message, or per byte.
use core::hint::black_box;
use core::time::Duration;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::time::Instant;

use iceoryx2::prelude::*;

type Error = Box<dyn core::error::Error>;
type Ipc = ipc::Service;

const MESSAGE: usize = 64;
type Message = [u8; MESSAGE];
/// The filler byte of every message and stream chunk; checked on arrival.
const FILL: u8 = 0x5a;
/// The sequence number that tells a ping-pong child to stop.
const STOP: u64 = u64::MAX;
/// How long a sleeping side waits before it looks whether its peer is still there.
const WAKE_TO_CHECK: Duration = Duration::from_secs(1);
/// Spins between two looks at the peer.
const SPINS_TO_CHECK: u32 = 1 << 20;
/// spin-waitset: receive() attempts before a side sleeps.
const SPINS_BEFORE_SLEEP: u32 = 2000;

// ─── setup ───────────────────────────────────────────────────────────────

struct Args {
    root: String,
    prefix: String,
    mode: Vec<String>,
}

fn node(args: &Args) -> Result<Node<Ipc>, Error> {
    let mut config = Config::default();
    config.global.prefix = FileName::new(args.prefix.as_bytes())?;
    let mut root = args.root.clone();
    if !root.ends_with('/') {
        root.push('/');
    }
    config.global.set_root_path(&Path::new(root.as_bytes())?);
    Ok(NodeBuilder::new().config(&config).create::<Ipc>()?)
}

fn number<T: core::str::FromStr>(mode: &[String], at: usize, what: &str) -> Result<T, Error> {
    let text = mode.get(at).ok_or_else(|| format!("missing <{what}>"))?;
    text.parse().map_err(|_| format!("<{what}> is not a number: {text}").into())
}

/// The other process, seen from either side: is it still there?
trait Peer {
    fn alive(&mut self) -> bool;
}

struct ChildPeer {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Peer for ChildPeer {
    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl ChildPeer {
    fn spawn(args: &Args) -> Result<Self, Error> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(&args.root)
            .arg(&args.prefix)
            .arg("--child")
            .args(&args.mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let input = child.stdin.take();
        let output = BufReader::new(child.stdout.take().ok_or("no child stdout")?);
        let mut peer = ChildPeer { child, input, output };
        let line = peer.line()?;
        if line != "ready" {
            return Err(format!("child said {line:?} instead of ready").into());
        }
        Ok(peer)
    }

    fn line(&mut self) -> Result<String, Error> {
        let mut line = String::new();
        if self.output.read_line(&mut line)? == 0 {
            return Err("the child exited early".into());
        }
        Ok(line.trim_end().to_string())
    }

    fn say(&mut self, text: &str) -> Result<(), Error> {
        let input = self.input.as_mut().ok_or("child stdin closed")?;
        writeln!(input, "{text}")?;
        input.flush()?;
        Ok(())
    }

    /// Closes the child's stdin (its cue to exit, if it reads commands) and waits for it.
    fn finish(mut self) -> Result<(), Error> {
        drop(self.input.take());
        let status = self.child.wait()?;
        if !status.success() {
            return Err(format!("child failed: {status}").into());
        }
        Ok(())
    }
}

struct ParentPeer {
    parent: u32,
}

impl Peer for ParentPeer {
    fn alive(&mut self) -> bool {
        std::os::unix::process::parent_id() == self.parent
    }
}

/// The child's channel to the parent: its stdout (one line per answer) and stdin (commands).
struct Parent {
    peer: ParentPeer,
    input: std::io::StdinLock<'static>,
}

impl Parent {
    fn new() -> Self {
        Parent { peer: ParentPeer { parent: std::os::unix::process::parent_id() }, input: std::io::stdin().lock() }
    }

    fn say(&mut self, text: &str) -> Result<(), Error> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}")?;
        out.flush()?;
        Ok(())
    }

    /// The next command, or None once the parent closed our stdin.
    fn command(&mut self) -> Result<Option<String>, Error> {
        let mut line = String::new();
        if self.input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end().to_string()))
    }
}

fn spin_check(spins: &mut u32, peer: &mut dyn Peer) -> Result<(), Error> {
    *spins = spins.wrapping_add(1);
    if *spins % SPINS_TO_CHECK == 0 && !peer.alive() {
        return Err("the peer died".into());
    }
    core::hint::spin_loop();
    Ok(())
}

fn message(seq: u64) -> Message {
    let mut m = [FILL; MESSAGE];
    m[..8].copy_from_slice(&seq.to_le_bytes());
    m
}

fn seq_of(m: &[u8]) -> u64 {
    u64::from_le_bytes(m[..8].try_into().unwrap())
}

/// Grows the count until a batch takes ≥ 50 ms, scales it so one repeat takes about `seconds`, then times `repeats` repeats; ns per operation.
fn calibrated(seconds: f64, repeats: usize, start: u64, mut body: impl FnMut(u64) -> Result<(), Error>) -> Result<Vec<f64>, Error> {
    let mut n = start;
    loop {
        let t = Instant::now();
        body(n)?;
        let took = t.elapsed().as_nanos() as f64;
        if took >= 5e7 {
            n = ((n as f64) * seconds * 1e9 / took).ceil().max(1.0) as u64;
            break;
        }
        n *= 4;
    }
    let mut per = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let t = Instant::now();
        body(n)?;
        per.push(t.elapsed().as_nanos() as f64 / n as f64);
    }
    Ok(per)
}

fn print_result(per: &[f64]) {
    let values: Vec<String> = per.iter().map(|v| format!("{v:.4}")).collect();
    println!("{{\"nsPerOp\":[{}]}}", values.join(","));
}

// ─── ping-pong ───────────────────────────────────────────────────────────

#[derive(Clone, Copy, PartialEq)]
enum Wake {
    Spin,
    Listener,
    WaitSet,
    SpinWaitSet,
}

fn wake_of(text: &str) -> Result<Wake, Error> {
    match text {
        "spin" => Ok(Wake::Spin),
        "listener" => Ok(Wake::Listener),
        "waitset" => Ok(Wake::WaitSet),
        "spin-waitset" => Ok(Wake::SpinWaitSet),
        _ => Err(format!("pingpong mode must be spin, listener, waitset or spin-waitset: {text}").into()),
    }
}

/// One direction of the ping-pong: a pub-sub service and, when a side sleeps, an event service beside it.
fn pingpong_service(node: &Node<Ipc>, name: &str, create: bool) -> Result<iceoryx2::service::port_factory::publish_subscribe::PortFactory<Ipc, Message, ()>, Error> {
    let builder = node
        .service_builder(&ServiceName::new(name)?)
        .publish_subscribe::<Message>()
        .max_publishers(1)
        .max_subscribers(1)
        .history_size(0)
        .subscriber_max_buffer_size(1)
        .enable_safe_overflow(true);
    Ok(if create { builder.create()? } else { builder.open()? })
}

fn event_service(node: &Node<Ipc>, name: &str, create: bool) -> Result<iceoryx2::service::port_factory::event::PortFactory<Ipc>, Error> {
    let builder = node.service_builder(&ServiceName::new(name)?).event().max_notifiers(1).max_listeners(1);
    Ok(if create { builder.create()? } else { builder.open()? })
}

/// One side's ports: it sends on `out`, receives on `inbox`, and (when it sleeps) notifies and listens.
struct Side {
    out: iceoryx2::port::publisher::Publisher<Ipc, Message, ()>,
    inbox: iceoryx2::port::subscriber::Subscriber<Ipc, Message, ()>,
    notifier: Option<iceoryx2::port::notifier::Notifier<Ipc>>,
    listener: Option<iceoryx2::port::listener::Listener<Ipc>>,
    wake: Wake,
}

impl Side {
    fn new(node: &Node<Ipc>, wake: Wake, parent: bool) -> Result<Self, Error> {
        let (send_to, receive_from) = if parent { ("ping", "pong") } else { ("pong", "ping") };
        let out_service = pingpong_service(node, send_to, parent)?;
        let in_service = pingpong_service(node, receive_from, parent)?;
        let (notifier, listener) = if wake == Wake::Spin {
            (None, None)
        } else {
            let out_event = event_service(node, &format!("{send_to}-event"), parent)?;
            let in_event = event_service(node, &format!("{receive_from}-event"), parent)?;
            (Some(out_event.notifier_builder().create()?), Some(in_event.listener_builder().create()?))
        };
        Ok(Side { out: out_service.publisher_builder().create()?, inbox: in_service.subscriber_builder().create()?, notifier, listener, wake })
    }

    fn send(&self, m: &Message) -> Result<(), Error> {
        self.out.loan_uninit()?.write_payload(*m).send()?;
        if let Some(notifier) = &self.notifier {
            notifier.notify()?;
        }
        Ok(())
    }

    /// The next message, copied out; spins or sleeps until it is there.
    fn receive(&self, waitset: Option<(&WaitSet<Ipc>, &WaitSetGuard<'_, '_, Ipc>)>, peer: &mut dyn Peer) -> Result<Message, Error> {
        let mut spins = 0u32;
        loop {
            if let Some(sample) = self.inbox.receive()? {
                return Ok(*sample);
            }
            match self.wake {
                Wake::Spin => spin_check(&mut spins, peer)?,
                Wake::Listener => {
                    if self.listener.as_ref().unwrap().timed_wait(|_| {}, WAKE_TO_CHECK)? == 0 && !peer.alive() {
                        return Err("the peer died".into());
                    }
                }
                Wake::SpinWaitSet if spins < SPINS_BEFORE_SLEEP => spin_check(&mut spins, peer)?,
                Wake::WaitSet | Wake::SpinWaitSet => {
                    let (waitset, guard) = waitset.unwrap();
                    let listener = self.listener.as_ref().unwrap();
                    let mut woken = false;
                    waitset.wait_and_process_once_with_timeout(
                        |id| {
                            if id.has_event_from(guard) {
                                woken = true;
                                let _ = listener.try_wait(|_| {});
                            }
                            CallbackProgression::Continue
                        },
                        WAKE_TO_CHECK,
                    )?;
                    if !woken && !peer.alive() {
                        return Err("the peer died".into());
                    }
                }
            }
        }
    }
}

fn pingpong(args: &Args) -> Result<(), Error> {
    let wake = wake_of(args.mode.get(1).map(String::as_str).unwrap_or(""))?;
    let seconds: f64 = number(&args.mode, 2, "seconds")?;
    let repeats: usize = number(&args.mode, 3, "repeats")?;
    let node = node(args)?;
    let side = Side::new(&node, wake, true)?;
    let waitset = WaitSetBuilder::new().create::<Ipc>()?;
    let guard = match &side.listener {
        Some(listener) if wake == Wake::WaitSet || wake == Wake::SpinWaitSet => Some(waitset.attach_notification(listener)?),
        _ => None,
    };
    let waiting = guard.as_ref().map(|g| (&waitset, g));
    let mut peer = ChildPeer::spawn(args)?;
    let mut seq = 0u64;
    let mut bad = 0u64;
    let per = calibrated(seconds, repeats, 1000, |n| {
        for _ in 0..n {
            seq += 1;
            side.send(&message(seq))?;
            let reply = side.receive(waiting, &mut peer)?;
            if seq_of(black_box(&reply)) != seq {
                bad += 1;
            }
        }
        Ok(())
    })?;
    side.send(&message(STOP))?;
    peer.finish()?;
    if bad != 0 {
        return Err(format!("{bad} replies with a wrong sequence number").into());
    }
    print_result(&per);
    Ok(())
}

fn pingpong_child(args: &Args) -> Result<(), Error> {
    let wake = wake_of(args.mode.get(1).map(String::as_str).unwrap_or(""))?;
    let node = node(args)?;
    let side = Side::new(&node, wake, false)?;
    let waitset = WaitSetBuilder::new().create::<Ipc>()?;
    let guard = match &side.listener {
        Some(listener) if wake == Wake::WaitSet || wake == Wake::SpinWaitSet => Some(waitset.attach_notification(listener)?),
        _ => None,
    };
    let mut parent = Parent::new();
    parent.say("ready")?;
    loop {
        let m = side.receive(guard.as_ref().map(|g| (&waitset, g)), &mut parent.peer)?;
        if seq_of(&m) == STOP {
            return Ok(());
        }
        side.send(&m)?;
    }
}

// ─── one way: messages and a stream ──────────────────────────────────────

/// The one-way service's settings, the same for messages and the stream: one publisher, one subscriber with a `buffer`-sample queue that never overflows.
macro_rules! one_way_service {
    ($node:expr, $payload:ty, $buffer:expr, $create:expr) => {{
        let builder = $node
            .service_builder(&ServiceName::new("one-way")?)
            .publish_subscribe::<$payload>()
            .max_publishers(1)
            .max_subscribers(1)
            .history_size(0)
            .subscriber_max_buffer_size($buffer)
            .enable_safe_overflow(false);
        if $create { builder.create()? } else { builder.open()? }
    }};
}

fn msgs(args: &Args) -> Result<(), Error> {
    let seconds: f64 = number(&args.mode, 1, "seconds")?;
    let repeats: usize = number(&args.mode, 2, "repeats")?;
    let buffer: usize = number(&args.mode, 3, "buffer")?;
    let node = node(args)?;
    let service = one_way_service!(node, Message, buffer, true);
    let publisher = service.publisher_builder().backpressure_strategy(BackpressureStrategy::RetryUntilDelivered).create()?;
    let mut peer = ChildPeer::spawn(args)?;
    let mut seq = 0u64;
    let per = calibrated(seconds, repeats, 1 << 14, |n| {
        peer.say(&n.to_string())?;
        for _ in 0..n {
            let mut spins = 0u32;
            let sample = loop {
                match publisher.loan_uninit() {
                    Ok(sample) => break sample,
                    Err(_) => spin_check(&mut spins, &mut peer)?, // every sample lent out: wait until one comes back
                }
            };
            sample.write_payload(message(seq)).send()?;
            seq += 1;
        }
        let done = peer.line()?;
        if done != "done" {
            return Err(format!("child: {done}").into());
        }
        Ok(())
    })?;
    peer.finish()?;
    print_result(&per);
    Ok(())
}

fn msgs_child(args: &Args) -> Result<(), Error> {
    let buffer: usize = number(&args.mode, 3, "buffer")?;
    let node = node(args)?;
    let service = one_way_service!(node, Message, buffer, false);
    let subscriber = service.subscriber_builder().create()?;
    let mut parent = Parent::new();
    parent.say("ready")?;
    let mut expected = 0u64;
    let mut bad = 0u64;
    while let Some(command) = parent.command()? {
        let n: u64 = command.parse().map_err(|_| format!("bad count {command:?}"))?;
        let mut spins = 0u32;
        for _ in 0..n {
            let sample = loop {
                match subscriber.receive()? {
                    Some(sample) => break sample,
                    None => spin_check(&mut spins, &mut parent.peer)?,
                }
            };
            if seq_of(&*sample) != expected || sample[MESSAGE - 1] != FILL {
                bad += 1;
            }
            expected += 1;
        }
        if bad != 0 {
            parent.say(&format!("{bad} messages arrived wrong"))?;
        } else {
            parent.say("done")?;
        }
    }
    Ok(())
}

fn stream(args: &Args) -> Result<(), Error> {
    let bytes: u64 = number(&args.mode, 1, "bytes")?;
    let repeats: usize = number(&args.mode, 2, "repeats")?;
    let chunk: usize = number(&args.mode, 3, "chunk")?;
    let buffer: usize = number(&args.mode, 4, "buffer")?;
    let node = node(args)?;
    let service = one_way_service!(node, [u8], buffer, true);
    let publisher = service
        .publisher_builder()
        .initial_max_slice_len(chunk)
        .backpressure_strategy(BackpressureStrategy::RetryUntilDelivered)
        .create()?;
    let source = vec![FILL; chunk];
    let mut peer = ChildPeer::spawn(args)?;
    let mut send = |bytes: u64| -> Result<(), Error> {
        peer.say(&bytes.to_string())?;
        let mut left = bytes;
        while left > 0 {
            let length = left.min(chunk as u64) as usize;
            let mut spins = 0u32;
            let sample = loop {
                match publisher.loan_slice_uninit(length) {
                    Ok(sample) => break sample,
                    Err(_) => spin_check(&mut spins, &mut peer)?,
                }
            };
            sample.write_from_slice(&source[..length]).send()?;
            left -= length as u64;
        }
        let done = peer.line()?;
        if done != "done" {
            return Err(format!("child: {done}").into());
        }
        Ok(())
    };
    send(bytes.min(256 << 20))?; // warm-up
    let mut per = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let t = Instant::now();
        send(bytes)?;
        per.push(t.elapsed().as_nanos() as f64 / bytes as f64);
    }
    peer.finish()?;
    print_result(&per);
    Ok(())
}

fn stream_child(args: &Args) -> Result<(), Error> {
    let chunk: usize = number(&args.mode, 3, "chunk")?;
    let buffer: usize = number(&args.mode, 4, "buffer")?;
    let node = node(args)?;
    let service = one_way_service!(node, [u8], buffer, false);
    let subscriber = service.subscriber_builder().create()?;
    let mut sink = vec![0u8; chunk];
    let mut parent = Parent::new();
    parent.say("ready")?;
    while let Some(command) = parent.command()? {
        let mut left: u64 = command.parse().map_err(|_| format!("bad count {command:?}"))?;
        let mut bad = 0u64;
        let mut spins = 0u32;
        while left > 0 {
            let sample = loop {
                match subscriber.receive()? {
                    Some(sample) => break sample,
                    None => spin_check(&mut spins, &mut parent.peer)?,
                }
            };
            let length = sample.len();
            sink[..length].copy_from_slice(&sample); // copied out, like a socket read
            if black_box(&sink)[0] != FILL || length as u64 > left {
                bad += 1;
            }
            left = left.saturating_sub(length as u64);
        }
        if bad != 0 {
            parent.say(&format!("{bad} chunks arrived wrong"))?;
        } else {
            parent.say("done")?;
        }
    }
    Ok(())
}

// ─── main ────────────────────────────────────────────────────────────────

const USAGE: &str = "usage: iceoryx2-bench <root> <prefix> pingpong spin|listener|waitset|spin-waitset <seconds> <repeats>
       iceoryx2-bench <root> <prefix> msgs <seconds> <repeats> <buffer>
       iceoryx2-bench <root> <prefix> stream <bytes> <repeats> <chunk> <buffer>";

fn main() -> ExitCode {
    set_log_level(LogLevel::Error);
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.len() < 3 {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let root = argv.remove(0);
    let prefix = argv.remove(0);
    let child = argv.first().map(String::as_str) == Some("--child");
    if child {
        argv.remove(0);
    }
    let args = Args { root, prefix, mode: argv };
    let result = match (args.mode.first().map(String::as_str), child) {
        (Some("pingpong"), false) => pingpong(&args),
        (Some("pingpong"), true) => pingpong_child(&args),
        (Some("msgs"), false) => msgs(&args),
        (Some("msgs"), true) => msgs_child(&args),
        (Some("stream"), false) => stream(&args),
        (Some("stream"), true) => stream_child(&args),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("iceoryx2-bench{}: {error}", if child { " (child)" } else { "" });
            ExitCode::from(1)
        }
    }
}
