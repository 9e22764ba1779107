# debian_image — sets $debian_image to the directory holding the REAL Debian
# image that ../shared/tools/build-debian-image.sh builds (OCI layout, zstd
# layout, OCI archive, docker-archive, rootfs and truth.json), building it
# once per build directory (root and apt needed, ~1-2 min, then cached), or
# exits 77 with the reason. Tests that use it hold ctest's RESOURCE_LOCK
# debian_image (tests/CMakeLists.txt): two builds at once would remove each
# other's half-built rootfs. Sourced by shell tests; needs THOTH_SHARED and
# THOTH_BUILD.
debian_image=$THOTH_BUILD/debian-image
if [ ! -f "${THOTH_SHARED:-}/tools/build-debian-image.sh" ]; then
  echo "skipped: ../shared/tools/build-debian-image.sh is absent"; exit 77
fi
if [ ! -f "$debian_image/truth.json" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "skipped: building the Debian image needs root and apt"; exit 77
  fi
  if ! sh "$THOTH_SHARED/tools/build-debian-image.sh" "$debian_image" > "$THOTH_BUILD/debian-image.log" 2>&1; then
    echo "skipped: build-debian-image.sh failed (no apt mirror?), see $THOTH_BUILD/debian-image.log"; exit 77
  fi
fi
