from .. a . b import (c as d,
  e)
try:
    import x
except (ImportError, OSError):
    import y
if TYPE_CHECKING or sys.version_info < (3, 9):
    from typing import Z
class K(tf.keras.Model):
    def f(self, np=np.zeros):
        return importlib.import_module("m" "n")
  import bad
