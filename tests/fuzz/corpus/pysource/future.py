"""doc"""
from __future__ import annotations, division
from __future__ import (generator_stop)
import importlib
mod = importlib.import_module("plugins.x")
rel = importlib.import_module(".sub", __package__)
dyn = __import__(f"no{1}")
