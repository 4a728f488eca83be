import pytest

from connectors import rasa_setup
from connectors.settings import Settings

pytestmark = pytest.mark.slow


def test_rasa_data_validate_runs_clean(tmp_path):
    result = rasa_setup.validate_data(Settings(data_dir=tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_rasa_test_stories_pass(tmp_path):
    """`rasa test core` on the test stories beside the data (bot/tests), with the trained model."""
    import subprocess

    settings = Settings(data_dir=tmp_path)
    model = rasa_setup.train(settings)
    out = tmp_path / "results"
    cmd = [str(rasa_setup.rasa_executable()), "test", "core", "--model", str(model), "--stories", "bot/tests",
           "--out", str(out), "--fail-on-prediction-errors"]
    result = subprocess.run(cmd, cwd=rasa_setup.PROJECT_ROOT, env=rasa_setup.rasa_environment(),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
