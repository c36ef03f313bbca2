"""core.phases: a phase costs nothing outside recording and adds up its time inside."""

from core import phases


def test_phases_add_up_only_while_recording():
    with phases.phase("unrecorded"):
        pass
    readings = iter([1.0, 1.5, 1.5, 4.0])
    with phases.recording(lambda: next(readings)) as recorder:
        for _ in range(2):
            with phases.phase("step"):
                sum(range(1000))
    assert list(recorder.phases) == ["step"]
    step = recorder.phases["step"]
    assert step.calls == 2
    assert step.db_cpu == 0.5 + 2.5
    assert step.wall > 0 and step.cpu >= 0
    with phases.phase("after"):
        pass
    assert "after" not in recorder.phases
