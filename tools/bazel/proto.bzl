"""tokkit_proto_library: one .proto -> protobuf + gRPC C++ library.

Runs Debian's system protoc and grpc_cpp_plugin; no toolchain download.
"""

def tokkit_proto_library(name, src, deps = [], grpc = True, visibility = None):
    """Generates and compiles <src>.pb.{h,cc} (and .grpc.pb.{h,cc} when grpc).

    Args:
      name: the cc_library target name.
      src: one .proto file in this package; imports resolve from the workspace root.
      deps: other tokkit_proto_library targets whose .proto files src imports.
      grpc: also generate service stubs.
      visibility: visibility of the cc_library.
    """
    base = src[:-len(".proto")]
    pkg = native.package_name()
    outs = [base + ".pb.h", base + ".pb.cc"]
    if grpc:
        outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    grpc_flags = ""
    if grpc:
        grpc_flags = ("--grpc_out=$(GENDIR) " +
                      "--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) ")
    native.genrule(
        name = name + "_gen",
        srcs = [src] + [d + "_srcs" for d in deps],
        outs = outs,
        cmd = ("protoc --proto_path=. --cpp_out=$(GENDIR) " + grpc_flags +
               pkg + "/" + src),
    )
    native.filegroup(
        name = name + "_srcs",
        srcs = [src] + [d + "_srcs" for d in deps],
        visibility = visibility,
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + ["//tools/deps:grpc", "//tools/deps:protobuf"],
        visibility = visibility,
    )
