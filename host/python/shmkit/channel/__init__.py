"""Channels between processes and threads: the SPSC ring, the MPMC queue and
the broadcast channel, each the core's protocol byte for byte, so a Node
process can sit at the other end."""
