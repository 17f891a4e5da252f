"""Playing a trainee's kept recording of a reply, from the session page, with a stop."""

from __future__ import annotations

from PySide6.QtCore import QObject

from ...store.audiofiles import audio_file
from ..notices import explain


class RecordingPlayer(QObject):
    def __init__(self, window, devices) -> None:
        super().__init__(window)
        self._window = window
        self._devices = devices
        self._speaker = None
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

        def start():  # opening the sound device can take a moment: on a worker
            speaker = self._devices.speaker(w.settings.output_device)
            return speaker, speaker.play(path)

        def started(got) -> None:
            self._speaker, playback = got
            w.session.stop_button.setEnabled(True)
            w.status.setText("Playing the trainee's recording…")
            w.tasks.run(playback.wait, 600, done=lambda _: self._played(), failed=lambda exc: None)
        w.tasks.run(start, done=started, failed=lambda exc: w.notices.add(explain(exc)))

    def _played(self) -> None:
        if self._speaker is not None:  # not stopped meanwhile
            self._speaker = None
            self._window.session.stop_button.setEnabled(False)
            self._window.status.setText("Finished playing the recording.")

    def stop(self) -> None:
        if self._speaker is not None:
            speaker, self._speaker = self._speaker, None
            self._window.tasks.run(speaker.stop, failed=lambda exc: None)
        self._window.session.stop_button.setEnabled(False)
