# SPDX-License-Identifier: GPL-2.0-only
#
# Build flags as usage requirements, never as global CMAKE_CXX_FLAGS edits.
#
# vmapfuzz::flags        every target of the project links it (PRIVATE or PUBLIC): warnings
#                        (-Werror with VMAPFUZZ_WERROR),
#                        VMAPFUZZ_SANITIZE, VMAPFUZZ_FUZZING instrumentation, VMAPFUZZ_COVERAGE.
# vmapfuzz::fuzzer_main  only the *_fuzz executables link it: libFuzzer's main().

add_library(vmapfuzz_flags INTERFACE)
add_library(vmapfuzz::flags ALIAS vmapfuzz_flags)
target_compile_options(vmapfuzz_flags INTERFACE -Wall -Wextra)
if(VMAPFUZZ_WERROR)
  # The werror preset (built by ci/test): a new warning fails the build there, while
  # users on newer compilers with new warnings can still build every other preset.
  target_compile_options(vmapfuzz_flags INTERFACE -Werror)
endif()

if((VMAPFUZZ_FUZZING OR VMAPFUZZ_COVERAGE) AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "VMAPFUZZ_FUZZING and VMAPFUZZ_COVERAGE need clang++ "
                      "(use the fuzz, fuzz-nosan or coverage preset)")
endif()

if(VMAPFUZZ_SANITIZE)
  set(_vmapfuzz_san -fsanitize=${VMAPFUZZ_SANITIZE}
      # UBSan would otherwise print and carry on: no crash, no artifact.
      -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  target_compile_options(vmapfuzz_flags INTERFACE ${_vmapfuzz_san})
  target_link_options(vmapfuzz_flags INTERFACE ${_vmapfuzz_san})
  # Debian's GoogleTest and RapidCheck are plain libstdc++ builds: _GLIBCXX_DEBUG would
  # change container layout; the assertions alone are safe.
  target_compile_definitions(vmapfuzz_flags INTERFACE _GLIBCXX_ASSERTIONS)
endif()

if(VMAPFUZZ_FUZZING)
  # On the link too, or ordinary executables miss the __sanitizer_cov_* symbols.
  target_compile_options(vmapfuzz_flags INTERFACE -fsanitize=fuzzer-no-link
    -fsanitize-coverage-ignorelist=${CMAKE_CURRENT_LIST_DIR}/sancov-ignorelist.txt)
  target_link_options(vmapfuzz_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()

if(VMAPFUZZ_COVERAGE)
  target_compile_options(vmapfuzz_flags INTERFACE -fprofile-instr-generate -fcoverage-mapping)
  target_link_options(vmapfuzz_flags INTERFACE -fprofile-instr-generate -fcoverage-mapping)
endif()

add_library(vmapfuzz_fuzzer_main INTERFACE)
add_library(vmapfuzz::fuzzer_main ALIAS vmapfuzz_fuzzer_main)
target_link_options(vmapfuzz_fuzzer_main INTERFACE -fsanitize=fuzzer)
