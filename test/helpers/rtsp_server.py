#!/usr/bin/python3
"""A tiny RTSP camera for integration tests: loops a JPEG frame sequence as H.264, in real time.

Run with /usr/bin/python3 (Debian's python3-gi; a pyenv python has no gi module):
    rtsp_server.py --port 8554 --mount /cam --frames 'DIR/%05d.jpg' --fps 10
--port 0 picks a free port. Prints exactly one line "READY rtsp://127.0.0.1:PORT/MOUNT" once
listening; everything else goes to stderr.
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def launch_line(frames: str, fps: int) -> str:
    # multifilesrc stamps buffers from the caps framerate but pushes them as fast as it can;
    # identity sync=true waits for each timestamp on the pipeline clock, so a client sees fps
    # frames per second instead of thousands. key-int-max ~1 s lets a late joiner start quickly.
    loc = frames.replace('"', '\\"')
    return (
        f'( multifilesrc location="{loc}" index=0 loop=true '
        f'caps="image/jpeg,framerate={fps}/1" '
        "! jpegdec ! videoconvert ! video/x-raw,format=I420 "
        "! identity sync=true "
        f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bframes=0 threads=1 "
        "! video/x-h264,profile=constrained-baseline "
        "! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


def h264_file_line(path: str) -> str:
    # An MP4 played as is, no re-encoding (benchmarks: the server must not eat the CPU being
    # measured). identity sync=true paces it to real time; it plays once, it does not loop.
    loc = path.replace('"', '\\"')
    return (
        f'( filesrc location="{loc}" ! qtdemux ! h264parse ! identity sync=true '
        "! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


def audio_only_line() -> str:
    # A live stream with no video track at all: what a mis-set camera URL (an audio channel) gives.
    return (
        "( audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample "
        "! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay0 pt=8 )"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8554)
    ap.add_argument("--mount", default="/cam")
    ap.add_argument("--frames", help="multifilesrc pattern, e.g. DIR/%%05d.jpg")
    ap.add_argument("--fps", type=int, default=10)
    ap.add_argument("--h264-file", help="serve this MP4 (H.264) once, without re-encoding")
    ap.add_argument("--audio-only", action="store_true", help="serve an audio-only stream")
    ap.add_argument("--user", help="require RTSP basic auth with this user (and --password)")
    ap.add_argument("--password", default="")
    args = ap.parse_args()
    if not (args.frames or args.h264_file or args.audio_only):
        ap.error("one of --frames, --h264-file, --audio-only is required")

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))

    factory = GstRtspServer.RTSPMediaFactory()
    if args.audio_only:
        factory.set_launch(audio_only_line())
    elif args.h264_file:
        factory.set_launch(h264_file_line(args.h264_file))
    else:
        factory.set_launch(launch_line(args.frames, args.fps))
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        server.set_auth(auth)
        # The varargs role helpers are not callable from Python; a role is a GstStructure.
        perms = GstRtspServer.RTSPPermissions()
        perms.add_role_from_structure(
            Gst.Structure.new_from_string(
                "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            )
        )
        factory.set_permissions(perms)
    # Shared: every client sees the same live stream, as with a real camera.
    factory.set_shared(True)
    server.get_mount_points().add_factory(args.mount, factory)

    if server.attach(None) == 0:
        print(f"rtsp_server: cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        return 1

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)

    port = server.get_bound_port()
    print(f"READY rtsp://127.0.0.1:{port}{args.mount}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
