"""tokkit_fuzzer: a libFuzzer target and its regression test.

For each fuzzer `name` (a source defining LLVMFuzzerTestOneInput):
  - `name`: the fuzzer, built with --config=fuzz (clang, libFuzzer); tagged
    manual so plain builds (gcc) skip it; `whole_server` ones (they build
    every service with clang) are tagged `fuzzer_whole_server`, which CI's
    short fuzz phase leaves to developers for time;
  - `name_regression_test`: a cc_test that runs every file of the seed
    corpus testdata/fuzz/<name>/ (crashes found earlier are kept there too)
    through the same function, in every ordinary and sanitizer test run.
"""

def tokkit_fuzzer(name, srcs, deps = [], whole_server = False):
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps,
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual", "fuzzer"] + (["fuzzer_whole_server"] if whole_server else []),
        testonly = True,
    )
    native.cc_test(
        name = name + "_regression_test",
        size = "small",
        srcs = srcs,
        deps = deps + ["//tools/fuzzing:regression_main"],
        data = ["//testdata:fuzz_corpora"],
        args = ["testdata/fuzz/" + name],
    )
