# `python -m reetimeline`. Ctrl-C is given back to the system first, as `_entry` does, so that
# one arriving while `_entry` itself loads ends the process quietly (`_signal` is loaded already).
import _signal  # type: ignore[import-not-found]

_signal.signal(_signal.SIGINT, _signal.SIG_DFL)

from ._entry import main  # noqa: E402

main()
