import subprocess
import sys

from skcentral.cli import main


def test_run_prints_accuracy_and_the_alphas_table(capsys):
    assert main(["run", "--backbone", "mlp", "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "test accuracy: 0." in out and "errors / 450" in out
    assert "fusion point" in out and "4 (prediction)" not in out and "2 (prediction)" in out


def test_console_script_entry_point_and_progress_display():
    res = subprocess.run([sys.executable, "-m", "skcentral.cli", "run", "--backbone", "mlp",
                          "--epochs", "1"], capture_output=True, text=True, check=True)
    assert "train_loss" in res.stdout  # per-epoch table
    assert "test accuracy" in res.stdout
