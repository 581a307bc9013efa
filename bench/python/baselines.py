"""What a Python user would otherwise pick: multiprocessing.Pipe and Queue,
a unix socket, and iceoryx2's Python binding (zero-copy shared memory, the
best-in-class anchor). Each row is a (producer, consumer) pair for harness."""
from __future__ import annotations

import ctypes
import socket
import uuid

from harness import CONTEXT

SIZE = 64


class Pipe:
    name = "multiprocessing.Pipe"

    def __init__(self) -> None:
        self.receiver, self.sender = CONTEXT.Pipe(duplex=False)

    def stream(self, count: int, batch: int):  # noqa: ANN201
        message = bytes(SIZE) * batch

        def producer(_, go) -> None:
            go()
            for _ in range(count // batch):
                self.sender.send_bytes(message)

        def consumer(_, go) -> None:
            go()
            buffer = bytearray(SIZE * batch)
            for _ in range(count // batch):
                self.receiver.recv_bytes_into(buffer)

        return producer, consumer

    def ping_pong(self, rounds: int):  # noqa: ANN201
        back_receiver, back_sender = CONTEXT.Pipe(duplex=False)
        message = bytes(SIZE)

        def pinger(_, go) -> None:
            go()
            for _ in range(rounds):
                self.sender.send_bytes(message)
                back_receiver.recv_bytes()

        def ponger(_, go) -> None:
            go()
            for _ in range(rounds):
                back_sender.send_bytes(self.receiver.recv_bytes())

        return ponger, pinger  # the pinger's return ends the run


class Queue:
    name = "multiprocessing.Queue"

    def stream(self, count: int, batch: int):  # noqa: ANN201
        queue = CONTEXT.Queue(maxsize=4096)
        message = bytes(SIZE) * batch

        def producer(_, go) -> None:
            go()
            for _ in range(count // batch):
                queue.put(message)

        def consumer(_, go) -> None:
            go()
            for _ in range(count // batch):
                queue.get()

        return producer, consumer


class UnixSocket:
    name = "unix stream socket"

    def stream(self, count: int, batch: int):  # noqa: ANN201
        left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        message = bytes(SIZE) * batch

        def producer(_, go) -> None:
            go()
            for _ in range(count // batch):
                left.sendall(message)

        def consumer(_, go) -> None:
            go()
            buffer = bytearray(1 << 16)
            left_to_read = count * SIZE
            while left_to_read:
                left_to_read -= right.recv_into(buffer, min(len(buffer), left_to_read))

        return producer, consumer

    def ping_pong(self, rounds: int):  # noqa: ANN201
        left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        message = bytes(SIZE)

        def exact(sock: socket.socket, buffer: bytearray) -> None:
            view, got = memoryview(buffer), 0
            while got < SIZE:
                got += sock.recv_into(view[got:], SIZE - got)

        def pinger(_, go) -> None:
            buffer = bytearray(SIZE)
            go()
            for _ in range(rounds):
                left.sendall(message)
                exact(left, buffer)

        def ponger(_, go) -> None:
            buffer = bytearray(SIZE)
            go()
            for _ in range(rounds):
                exact(right, buffer)
                right.sendall(buffer)

        return ponger, pinger


class Message(ctypes.Structure):
    _fields_ = [("data", ctypes.c_uint8 * SIZE)]


class Iceoryx2:
    """Publish-subscribe with a 64-byte ctypes payload, nothing dropped
    (no safe overflow, the publisher retries until delivered), the
    subscriber polling as iceoryx2's Python examples do."""

    name = "iceoryx2 (Python binding)"

    def __init__(self) -> None:
        import iceoryx2

        self.iox = iceoryx2
        iceoryx2.set_log_level(iceoryx2.LogLevel.Error)

    def _service(self, node, name: str):  # noqa: ANN001, ANN202
        iox = self.iox
        return (node.service_builder(iox.ServiceName.new(name)).publish_subscribe(Message)
                .enable_safe_overflow(False).subscriber_max_buffer_size(4096).history_size(0).open_or_create())

    def _ends(self, name: str):  # noqa: ANN202
        iox = self.iox
        node = iox.NodeBuilder.new().create(iox.ServiceType.Ipc)
        service = self._service(node, name)
        return node, service

    def stream(self, count: int, batch: int):  # noqa: ANN201
        iox, name = self.iox, f"shmkit-bench/{uuid.uuid4().hex}"

        def producer(_, go) -> None:
            node, service = self._ends(name)
            publisher = service.publisher_builder().backpressure_strategy(iox.BackpressureStrategy.RetryUntilDelivered).create()
            payload = Message()
            go()  # the subscriber exists now
            publisher.update_connections()
            for _ in range(count):
                publisher.send_copy(payload)

        def consumer(_, go) -> None:
            node, service = self._ends(name)
            subscriber = service.subscriber_builder().buffer_size(4096).create()
            go()
            got = 0
            while got < count:
                sample = subscriber.receive()
                if sample is not None:
                    sample.payload().contents.data[0]  # read it, as a user would
                    got += 1

        return producer, consumer

    def ping_pong(self, rounds: int):  # noqa: ANN201
        iox, tag = self.iox, uuid.uuid4().hex
        ping_name, pong_name = f"shmkit-bench/ping-{tag}", f"shmkit-bench/pong-{tag}"

        def side(send_to: str, receive_from: str, first: bool):  # noqa: ANN202
            def run(_, go) -> None:
                iox_node = iox.NodeBuilder.new().create(iox.ServiceType.Ipc)
                out = self._service(iox_node, send_to).publisher_builder().backpressure_strategy(iox.BackpressureStrategy.RetryUntilDelivered).create()
                inbox = self._service(iox_node, receive_from).subscriber_builder().create()
                payload = Message()
                go()  # both sides' ports exist now
                out.update_connections()
                for _ in range(rounds):
                    if first:
                        out.send_copy(payload)
                    while inbox.receive() is None:
                        pass
                    if not first:
                        out.send_copy(payload)
            return run

        return side(pong_name, ping_name, False), side(ping_name, pong_name, True)
