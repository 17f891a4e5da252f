"""Playing a trainee's kept recording of a reply, from the session page, with a stop."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ...store.audiofiles import audio_file
from ..notices import explain


class RecordingPlayer(QObject):
    def __init__(self, window, devices) -> None:
        super().__init__(window)
        self._window = window
        self._devices = devices
        self._playback = None
        self._wanted: object | None = None  # the recording asked for last, while its device opens
        # Polled, not waited for: a wait held one of the window's two workers for the whole recording.
        self._poll = QTimer(self)
        self._poll.setInterval(100)
        self._poll.timeout.connect(self._check_done)
        window.session.play_wanted.connect(self.play)
        window.session.stop_wanted.connect(self.stop)

    def play(self, audio: str) -> None:
        w = self._window
        if w.store is None or self._devices is None:
            return
        path = audio_file(w.store.audio_dir, audio)
        if path is None or not path.is_file():
            w.notices.add("That recording is no longer on this computer (recordings are deleted after the "
                          "organisation's retention period).")
            return

        previous, self._playback = self._playback, None
        self._poll.stop()
        self._wanted = wanted = object()

        def start():  # opening the sound device can take a moment: on a worker
            if previous is not None:
                previous.stop()  # one recording at a time: a second Play replaces the first, in this order
            return self._devices.speaker(w.settings.output_device).play(path)

        def started(playback) -> None:
            if self._wanted is not wanted:  # stopped, or another one asked for, while the device opened
                w.tasks.run(playback.stop, failed=lambda exc: None)
                return
            self._playback = playback
            w.session.stop_button.setEnabled(True)
            w.status.setText("Playing the trainee's recording…")
            self._poll.start()

        def failed(exc: BaseException) -> None:
            if self._wanted is wanted:
                self._wanted = None
                w.session.stop_button.setEnabled(False)
                w.notices.add(explain(exc))
        w.session.stop_button.setEnabled(True)  # Stop works while the device opens too
        w.tasks.run(start, done=started, failed=failed)

    def _check_done(self) -> None:
        if self._playback is not None and self._playback.done:
            self._poll.stop()
            self._playback = self._wanted = None
            self._window.session.stop_button.setEnabled(False)
            self._window.status.setText("Finished playing the recording.")

    def stop(self) -> None:
        self._wanted = None
        self._poll.stop()
        if self._playback is not None:
            playback, self._playback = self._playback, None
            self._window.tasks.run(playback.stop, failed=lambda exc: None)
        self._window.session.stop_button.setEnabled(False)
