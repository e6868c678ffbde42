"""Unit tests of helpers.models (GPT, LeNet) and helpers.results (record)."""

import json

import pytest
import torch

import helpers as hp


def test_gpt_is_causal_and_counts_its_parameters():
    torch.manual_seed(0)
    L, d, T, V = 2, 32, 16, 11
    model = hp.GPT(V, T, L, 4, d).eval()
    ids = torch.randint(0, V, (2, T))
    changed = ids.clone()
    changed[:, T // 2 :] = (changed[:, T // 2 :] + 1) % V
    with torch.no_grad():
        hp.assert_close(
            model(changed)[:, : T // 2],
            model(ids)[:, : T // 2],
            name="past logits",
            rtol=1e-5,
            atol=1e-6,
        )
        assert not torch.allclose(
            model(changed)[:, T // 2 :], model(ids)[:, T // 2 :]
        )
    counts = hp.gpt_parameter_counts(model)
    assert counts["non-embedding"] == L * (12 * d**2 + 2 * d) + d
    assert counts["total"] == counts["non-embedding"] + V * d + T * d
    assert model.head.weight is model.token_embedding.weight
    states = model.hidden_states(ids)
    assert len(states) == L + 1 and all(s.shape == (2, T, d) for s in states)


def test_gpt_rejects_bad_sizes_and_long_inputs():
    with pytest.raises(ValueError, match="divisible"):
        hp.GPT(10, 8, 1, 3, 32)
    with pytest.raises(ValueError, match="block_size"):
        hp.GPT(10, 0, 1, 4, 32)
    with pytest.raises(ValueError, match="exceeds the block size"):
        hp.GPT(10, 8, 1, 4, 32)(torch.zeros(1, 9, dtype=torch.long))


def test_lm_loss_of_uniform_logits_is_log_vocabulary():
    logits = torch.zeros(3, 5, 7)
    targets = torch.randint(0, 7, (3, 5))
    assert (
        abs(
            hp.lm_loss(logits, targets).item()
            - torch.log(torch.tensor(7.0)).item()
        )
        < 1e-6
    )


def test_lenet_shapes_and_parameters():
    model = hp.LeNet()
    assert sum(p.numel() for p in model.parameters()) == 61_706
    assert model(torch.rand(4, 1, 28, 28)).shape == (4, 10)
    with pytest.raises(ValueError, match=r"\[B, 1, 28, 28\]"):
        model(torch.rand(4, 28, 28))
    tanh = hp.LeNet(activation=torch.tanh)
    tanh.load_state_dict(model.state_dict())
    x = torch.rand(2, 1, 28, 28)
    assert not torch.allclose(tanh(x), model(x))


def test_record_prints_and_appends_to_results_file(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("COURSE_RESULTS", str(tmp_path))
    monkeypatch.setenv("COURSE_CHAPTER", "4_1_mlp_mnist")
    passed = hp.record("test accuracy", torch.tensor(0.985), target=0.98)
    missed = hp.record(
        "loss", 1.7, target=1.5, higher_is_better=False, unit="nats/char"
    )
    assert passed["passed"] is True and missed["passed"] is False
    assert "MISSED" in capsys.readouterr().out
    lines = [
        json.loads(line)
        for line in (tmp_path / "results.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    assert [r["name"] for r in lines] == ["test accuracy", "loss"]
    assert lines[0]["chapter"] == "4_1_mlp_mnist" and lines[0][
        "value"
    ] == pytest.approx(0.985)
    assert {"profile", "seed", "device", "torch"} <= set(lines[0])


def test_record_without_results_folder_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_RESULTS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert hp.record("x", 1.0)["passed"] is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["high", None, torch.ones(2)])
def test_record_rejects_non_numbers(value):
    with pytest.raises(ValueError, match="record"):
        hp.record("x", value)


def test_record_names_the_device_and_defaults_the_chapter_to_the_folder(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("COURSE_RESULTS", str(tmp_path / "out"))
    monkeypatch.delenv("COURSE_CHAPTER", raising=False)
    monkeypatch.chdir(tmp_path)
    entry = hp.record("loss", 2, target=3, higher_is_better=False)
    assert entry["passed"] is True and entry["chapter"] == tmp_path.name
    assert entry["device"] == hp.results.device_name()
    if not torch.cuda.is_available() and not torch.backends.mps.is_available():
        assert (
            entry["device"].startswith("CPU (") and "cores" in entry["device"]
        )
    assert (
        json.loads(
            (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8")
        )["device"]
        == entry["device"]
    )
