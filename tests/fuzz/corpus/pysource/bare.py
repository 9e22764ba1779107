import
from
from . import
__import__(
importlib.import_module("")
