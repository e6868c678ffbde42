"""Profile, seed and device from the environment, and the one-line report."""

import matplotlib
import pytest
import torch

from helpers import env


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.fixture
def gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("quick", "quick"),
        ("full", "full"),
        (" FULL ", "full"),
        ("Quick", "quick"),
    ],
)
def test_profile_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("COURSE_PROFILE", value)
    assert env.profile() == expected
    assert env.is_quick() == (expected == "quick")


@pytest.mark.parametrize("value", [None, "", "  "])
def test_unset_profile_is_quick_without_a_gpu(monkeypatch, no_gpu, value):
    if value is None:
        monkeypatch.delenv("COURSE_PROFILE", raising=False)
    else:
        monkeypatch.setenv("COURSE_PROFILE", value)
    assert env.profile() == "quick"


def test_unset_profile_is_full_with_a_gpu(monkeypatch, gpu):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert env.profile() == "full"


def test_set_profile_wins_over_the_hardware(monkeypatch, gpu):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    assert env.profile() == "quick"


@pytest.mark.parametrize("value", ["fast", "1", "quick,full"])
def test_invalid_profile_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("COURSE_PROFILE", value)
    with pytest.raises(ValueError, match="'quick' or 'full'"):
        env.profile()


@pytest.mark.parametrize(
    "value, expected", [(None, 0), ("", 0), ("7", 7), (" 42 ", 42)]
)
def test_seed_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("COURSE_SEED", raising=False)
    else:
        monkeypatch.setenv("COURSE_SEED", value)
    assert env.seed() == expected


@pytest.mark.parametrize("value", ["abc", "1.5", "0x10"])
def test_invalid_seed_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("COURSE_SEED", value)
    with pytest.raises(ValueError, match="COURSE_SEED must be an integer"):
        env.seed()


def test_seed_everything_makes_random_numbers_reproducible(monkeypatch):
    monkeypatch.setenv("COURSE_SEED", "5")
    assert env.seed_everything() == 5
    first = torch.rand(4)
    env.seed_everything()
    assert torch.equal(torch.rand(4), first)
    assert env.seed_everything(6) == 6
    assert not torch.equal(torch.rand(4), first)


@pytest.mark.parametrize("value", [-1, 1.0, True, "3"])
def test_seed_everything_rejects_a_bad_seed(value):
    with pytest.raises(ValueError, match="non-negative integer"):
        env.seed_everything(value)


def test_config_picks_the_active_profile(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert (
        env.config(
            full={"num_epochs": 20, "lr": 0.1},
            quick={"num_epochs": 2, "lr": 0.1},
        ).num_epochs
        == 20
    )
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    cfg = env.config(
        full={"num_epochs": 20, "lr": 0.1}, quick={"num_epochs": 2, "lr": 0.1}
    )
    assert (cfg.num_epochs, cfg.lr) == (2, 0.1)


def test_config_rejects_mismatched_keys():
    with pytest.raises(ValueError, match=r"\['batch_size', 'lr'\]"):
        env.config(
            full={"num_epochs": 20, "lr": 0.1},
            quick={"num_epochs": 2, "batch_size": 8},
        )


def test_device_is_cpu_on_this_machine(no_gpu, monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert env.device() == torch.device("cpu")


def test_device_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert env.device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert env.device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert env.device().type == "cpu"


def test_device_without_an_mps_backend(monkeypatch, no_gpu):
    monkeypatch.delattr(torch.backends, "mps")
    assert env.device().type == "cpu"


def test_report_names_device_torch_profile_and_seed(
    monkeypatch, capsys, no_gpu
):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.setenv("COURSE_SEED", "3")
    line = env.report()
    assert line in capsys.readouterr().out
    assert (
        "cpu" in line
        and f"torch {torch.__version__}" in line
        and "profile: quick" in line
        and "seed: 3" in line
    )


def test_report_says_how_to_switch_when_the_profile_is_chosen_by_hardware(
    monkeypatch, no_gpu
):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert "COURSE_PROFILE=full" in env.report()


def test_setup_seeds_and_returns_the_device(monkeypatch, no_gpu):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    monkeypatch.setenv("COURSE_SEED", "11")
    # setup() applies the course style; keep it out of other tests
    with matplotlib.rc_context():
        assert env.setup() == torch.device("cpu")
    first = torch.rand(3)
    torch.manual_seed(11)
    assert torch.equal(torch.rand(3), first)


def test_setup_sets_the_cpu_threads_only_when_asked(monkeypatch, no_gpu):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    before = torch.get_num_threads()
    try:
        with matplotlib.rc_context():
            env.setup()
            assert torch.get_num_threads() == before
            env.setup(cpu_threads=1)
            assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2"])
def test_setup_rejects_a_bad_thread_count(bad):
    with pytest.raises(
        ValueError, match="cpu_threads must be a positive integer"
    ):
        env.setup(cpu_threads=bad)


@pytest.mark.parametrize(
    "capability, amp", [((7, 5), "fp16 + gradient scaler"), ((8, 0), "bf16")]
)
def test_setup_on_cuda_turns_on_tf32_and_reports_it(
    monkeypatch, capsys, gpu, capability, amp
):
    monkeypatch.setattr(
        torch.cuda, "get_device_name", lambda device=None: "Test GPU"
    )
    monkeypatch.setattr(
        torch.cuda, "get_device_capability", lambda device=None: capability
    )
    monkeypatch.setattr(torch.version, "hip", None)
    # no CUDA to seed here
    monkeypatch.setattr(torch, "manual_seed", lambda seed: None)
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    before = torch.get_float32_matmul_precision()
    try:
        with matplotlib.rc_context():
            assert env.setup() == torch.device("cuda")
        assert torch.get_float32_matmul_precision() == "high"
        line = capsys.readouterr().out
        assert (
            "Test GPU" in line
            and "TF32 matmuls on" in line
            and f"mixed precision {amp}" in line
        ), line
    finally:
        torch.set_float32_matmul_precision(before)


def test_setup_on_the_cpu_leaves_float32_precision_alone(monkeypatch, no_gpu):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    before = torch.get_float32_matmul_precision()
    with matplotlib.rc_context():
        env.setup()
    assert torch.get_float32_matmul_precision() == before
