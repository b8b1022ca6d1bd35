"""Issue 19, item 4: library errors name parameters, the command line names its flags; exit statuses by name."""

import pytest

from geomap import batch
from geomap.cli import main
from geomap.errors import ExitStatus, InputError
from geomap.setup import Setup


def test_a_library_error_names_the_parameter_and_is_a_value_error():
    with pytest.raises(ValueError, match=r"^`doc_timeout` must be a positive number of seconds") as caught:
        list(batch.extract([], Setup(), doc_timeout=0))
    assert isinstance(caught.value, InputError) and caught.value.parameters == ("doc_timeout",)
    with pytest.raises(InputError, match=r"^`workers` and `batch_size` must be at least 1$"):
        list(batch.extract([], Setup(batch_size=0)))


def test_the_command_line_shows_the_flag_the_parameter_came_from(tmp_path, capsys):
    records = tmp_path / "in.jsonl"
    records.write_text('{"id": 1, "text": "Rain in Oslo."}\n', encoding="utf-8")
    assert main(["extract", "--jsonl", str(records), "-o", str(tmp_path / "out.jsonl"), "--batch-size", "0"]) == 2
    assert capsys.readouterr().err == "geomap: --workers and --batch-size must be at least 1\n"


def test_exit_statuses_are_the_documented_numbers():
    assert [int(s) for s in ExitStatus] == [0, 1, 2, 3, 4, 5, 70, 130, 141]
