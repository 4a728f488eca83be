import pytest

from connectors import rasa_setup
from connectors.settings import Settings

pytestmark = pytest.mark.slow


def test_rasa_data_validate_runs_clean(tmp_path):
    result = rasa_setup.validate_data(Settings(data_dir=tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
