"""Rasa's TensorFlow models load without tracing a training step (issue 12: cold start).

Rasa 3.6 gives a loaded model (DIET here) its variables by fitting it on one example before it
loads the trained weights over them (`RasaModel.load`). That fit runs in graph mode, so
TensorFlow traces the whole training step with its gradients: measured on 2 cores, 63 s of an
85 s start of Rasa, for variables that are overwritten at once. `install()` runs that one step
eagerly instead: the same variables (model and optimizer) are made and the trained weights are
loaded over them.

The model then predicts in graph mode, as Rasa's load leaves it, traced once on the example.
Rasa traces that prediction step through AutoGraph, which rewrites Rasa's Python source first
(about 10 s more); the step has no Python control flow that depends on a tensor, so it is traced
here without AutoGraph (2 s), into the same graph. Eager prediction was measured too: ten times
slower per turn.

The test (tests/integration/dialogue/test_model_load.py) loads the model both ways: every
variable equal, the same interpretation of each sentence. A load for fine-tuning
(`rasa train --finetune`) is left to Rasa.
"""

from typing import Any, Optional

import tensorflow as tf
from rasa.utils import train_utils
from rasa.utils.tensorflow.constants import RUN_EAGERLY
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

_rasa_load = RasaModel.load.__func__  # type: ignore[attr-defined]


def load_built_eagerly(
    cls: Any,
    model_file_name: str,
    model_data_example: RasaModelData,
    predict_data_example: Optional[RasaModelData] = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """`RasaModel.load` with the weight-building step run eagerly (see the module)."""
    config = kwargs.get("config")
    if finetune_mode or not isinstance(config, dict):
        return _rasa_load(cls, model_file_name, model_data_example, predict_data_example,
                          finetune_mode, *args, **kwargs)
    wanted = config.get(RUN_EAGERLY)
    kwargs["config"] = {**config, RUN_EAGERLY: True}
    model = _rasa_load(cls, model_file_name, model_data_example, None, False, *args, **kwargs)
    model.config[RUN_EAGERLY] = wanted
    model.run_eagerly = bool(wanted)
    model.train_function = None  # the eager one-step fit is not kept
    if predict_data_example is not None and not model.run_eagerly:
        _trace_prediction(model, predict_data_example)
    return model


def _trace_prediction(model: RasaModel, example: RasaModelData) -> None:
    """Rasa's prediction step as a graph made without AutoGraph, traced on `example`."""
    batches, _ = train_utils.create_data_generators(model_data=example, batch_sizes=1, epochs=1,
                                                    shuffle=False)
    batch = next(iter(batches))[0]
    model._tf_predict_step = tf.function(
        model.predict_step, input_signature=model._dynamic_signature(batch), autograph=False)
    model.run_inference(example)


def install() -> None:
    """Every Rasa model class loads through `load_built_eagerly`."""
    RasaModel.load = classmethod(load_built_eagerly)  # type: ignore[method-assign,assignment]
