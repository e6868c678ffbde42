"""Helpers shared by the chapters of the course: ``import helpers as hp``.

Modules: ``env`` (device, profile, seed, report), ``data`` (registry,
downloads, parsers, on-device batches), ``training`` (``fit`` with
checkpoints), ``plotting``, ``checks``, ``widgets``, ``models`` (GPT, LeNet)
and ``results`` (``record``); chapter-specific ``text`` (tokeniser, vocabulary,
text datasets) and ``vision`` (CIFAR-10, GPU augmentation), used as ``hp.text``
and ``hp.vision``.
"""

from . import text, vision
from .checks import (
    assert_at_least,
    assert_at_most,
    assert_close,
    check_gradients,
    numerical_gradient,
    relative_error,
    run_listing,
)
from .data import (
    REGISTRY,
    DataNotAvailableError,
    ImageSplits,
    TensorLoader,
    cache_dir,
    fetch,
    image_classification_data,
    load_idx_dataset,
    load_text,
    load_timeseries,
    read_idx,
    register,
)
from .env import (
    config,
    device,
    is_quick,
    profile,
    report,
    seed,
    seed_everything,
    setup,
)
from .models import GPT, LeNet, gpt_parameter_counts, lm_loss
from .plotting import (
    confusion_matrix,
    heatmap,
    image_grid,
    plot_confusion,
    plot_history,
    use_style,
)
from .results import record
from .training import (
    accuracy,
    amp_dtype,
    checkpoint_path,
    evaluate,
    fingerprint,
    fingerprint_mismatch,
    fit,
    load_checkpoint,
    predict,
    save_checkpoint,
)
from .widgets import explore

__all__ = [name for name in dir() if not name.startswith("_")]
__version__ = "0.3.0"
