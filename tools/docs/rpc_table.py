#!/usr/bin/env python3
"""The README's RPC reference, from the .proto files.

  tools/docs/rpc_table.py            prints the table (paste it into README)
  tools/docs/rpc_table.py --check README.md proto/...   exits non-zero,
                                     naming them, when an RPC of the protos
                                     is missing from the README's table
"""
import re
import sys


def services(paths):
    """(package.Service, [(rpc, streaming note)]) per service, in file order."""
    out = []
    for path in paths:
        text = open(path, encoding="utf-8").read()
        package = re.search(r"^package ([\w.]+);", text, re.M).group(1)
        for match in re.finditer(r"service (\w+) \{(.*?)\n\}", text, re.S):
            rpcs = []
            for rpc in re.finditer(
                    r"rpc (\w+)\((stream )?[\w.]+\) returns \((stream )?", match.group(2)):
                kind = ""
                if rpc.group(2) and rpc.group(3):
                    kind = " (bidi stream)"
                elif rpc.group(2):
                    kind = " (client stream)"
                elif rpc.group(3):
                    kind = " (server stream)"
                rpcs.append((rpc.group(1), kind))
            out.append((f"{package}.{match.group(1)}", rpcs))
    return out


def table(paths):
    lines = ["| Service | RPCs |", "|---|---|"]
    for service, rpcs in services(paths):
        names = ", ".join(f"`{name}`{kind}" for name, kind in rpcs)
        lines.append(f"| `{service}` | {names} |")
    return "\n".join(lines)


def main(argv):
    if len(argv) > 1 and argv[1] == "--check":
        readme = open(argv[2], encoding="utf-8").read()
        start = readme.find("<!-- rpc-table -->")
        end = readme.find("<!-- /rpc-table -->")
        if start < 0 or end < 0:
            print("README has no <!-- rpc-table --> section")
            return 1
        section = readme[start:end]
        missing = [f"{service}/{name}" for service, rpcs in services(argv[3:])
                   for name, _ in rpcs if f"`{name}`" not in section]
        if missing:
            print("RPCs missing from the README's table (run "
                  "tools/docs/rpc_table.py):\n  " + "\n  ".join(missing))
            return 1
        print(f"README lists every RPC of {len(argv) - 3} proto file(s)")
        return 0
    print(table(argv[1:] or sorted(__import__("glob").glob(
        "proto/tokkit/*/v1/*.proto"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
