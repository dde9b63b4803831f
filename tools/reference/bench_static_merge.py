#!/usr/bin/python3
"""The PyTorch side of benchmarks/static-merge: task arithmetic or TIES-merging of safetensors
checkpoints, timed, for comparison with mergebench's streaming merge of the same files.

    /usr/bin/python3 tools/reference/bench_static_merge.py METHOD DIR [--out FILE]
        [--scaling-factor 0.3] [--k 20] [--merge-func sum]

METHOD is task-arithmetic or ties. DIR holds _pretrained_.safetensors and the fine-tuned models
as <name>.safetensors (F32), merged in name order. The files are read by hand (header JSON,
then torch.frombuffer over each file's bytes; there is no safetensors package here) and held in
memory, as the reference implementation holds its models; the merge follows it:

- task arithmetic, key by key: theta_0 + lambda * sum_i (theta_i - theta_0);
- TIES over the flattened models: tau = [T, d] task vectors; per row, keep = int(d * k / 100)
  and the threshold torch.kthvalue(|tau_i|, d - keep) (row by row rather than on the whole
  [T, d] matrix at once, which needs a [T, d] int64 index tensor as well; the result is the
  same); entries below it zeroed; sign = sign(sum over tasks), zeros set to the majority sign;
  the agreeing entries combined by sum, mean or max; theta_0 + lambda * merged.
Intermediate tensors are updated in place where the reference would allocate new ones, to keep
the peak memory down on a shared machine.

Prints one JSON line: wall and CPU seconds (reading and merging), peak and baseline RSS in
bytes, the torch version and thread count. With --out, writes the merged model as one F32 safetensors file.
"""

import argparse
import json
import os
import pathlib
import resource
import struct
import sys
import time

import torch

PRETRAINED = "_pretrained_"


def status_bytes(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of /proc/self/status; unlike getrusage's maxrss, VmHWM
    starts afresh at exec instead of being inherited from the parent."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def read_safetensors(path: pathlib.Path) -> dict:
    """All tensors of an F32 file, in data order, sharing one buffer per file."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = bytearray(os.fstat(f.fileno()).st_size - 8 - length)
        f.readinto(data)
    header.pop("__metadata__", None)
    flat = torch.frombuffer(data, dtype=torch.float32)
    out = {}
    for key, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if entry["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {key} is {entry['dtype']}; this benchmark reads F32 only")
        begin, end = entry["data_offsets"]
        out[key] = flat[begin // 4 : end // 4].view(entry["shape"])
    return out


def write_safetensors(path: pathlib.Path, sd: dict) -> None:
    header, offset = {}, 0
    for key, t in sd.items():
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + t.numel() * 4]}
        offset += t.numel() * 4
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for t in sd.values():
            f.write(t.contiguous().numpy().tobytes())


def task_arithmetic(pre: dict, fts: list, lam: float) -> dict:
    out = {}
    for key, p in pre.items():
        acc = fts[0][key] - p
        for sd in fts[1:]:
            acc += sd[key] - p
        out[key] = p + lam * acc
    return out


def ties(pre: dict, fts: list, lam: float, k: float, merge_func: str) -> dict:
    keys = list(pre)
    flat_pre = torch.cat([pre[key].reshape(-1) for key in keys])
    tv = torch.stack([torch.cat([sd[key].reshape(-1) for key in keys]) for sd in fts])
    fts.clear()  # the models are in tv now
    tv -= flat_pre
    d = tv.shape[1]
    keep = int(d * (k / 100))
    if keep < d:
        for row in tv:
            magnitude = row.abs()
            threshold, _ = magnitude.kthvalue(d - keep)
            row.mul_(magnitude >= threshold)
            del magnitude
    sign = torch.sign(tv.sum(dim=0))
    sign[sign == 0] = torch.sign(sign.sum())
    tv.mul_(torch.where(sign.unsqueeze(0) > 0, tv > 0, tv < 0))
    if merge_func == "sum":
        merged = tv.sum(dim=0)
    elif merge_func == "mean":
        merged = tv.sum(dim=0) / torch.clamp((tv != 0).sum(dim=0).float(), min=1)
    else:
        merged = tv.abs().max(dim=0)[0] * sign
    del tv
    flat = flat_pre + lam * merged
    out, offset = {}, 0
    for key in keys:
        n = pre[key].numel()
        out[key] = flat[offset : offset + n].view(pre[key].shape)
        offset += n
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("method", choices=["task-arithmetic", "ties"])
    parser.add_argument("dir", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path)
    parser.add_argument("--scaling-factor", type=float, default=0.3)
    parser.add_argument("--k", type=float, default=20)
    parser.add_argument("--merge-func", choices=["sum", "mean", "max"], default="sum")
    args = parser.parse_args()

    torch.set_grad_enabled(False)
    files = sorted(args.dir.glob("*.safetensors"))
    names = [f.stem for f in files if f.stem != PRETRAINED]
    baseline = status_bytes("VmRSS")
    cpu_start = cpu_seconds()
    start = time.perf_counter()
    pre = read_safetensors(args.dir / f"{PRETRAINED}.safetensors")
    fts = [read_safetensors(args.dir / f"{name}.safetensors") for name in names]
    if args.method == "task-arithmetic":
        merged = task_arithmetic(pre, fts, args.scaling_factor)
    else:
        merged = ties(pre, fts, args.scaling_factor, args.k, args.merge_func)
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu_start
    peak = status_bytes("VmHWM")
    if args.out:
        write_safetensors(args.out, merged)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpuSeconds": cpu,
                "peakRssBytes": peak,
                "baselineRssBytes": baseline,
                "models": len(names),
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
