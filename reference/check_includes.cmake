# SPDX-License-Identifier: GPL-2.0-only
# The reference decides on its own: this check (ctest reference.includes) fails if a header
# or source of reference/ includes an engine header that carries decisions, or names an
# engine symbol other than the allowed ones.
#
#   cmake -DSOURCE_DIR=<repo> [-DINJECT=<line>] -P reference/check_includes.cmake
#
# Allowed includes: <system> headers, "common/..." (shared vocabulary: types and names
# only), "reference/..." and the engine headers of kAllowed below, each with its reason.
# An allowed engine header must itself include only <system> and "common/..." headers, so
# that nothing of the engine's comes in through it. INJECT appends one line to the first
# file checked (for the test that proves the check fails on a bad include).

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "set -DSOURCE_DIR=<repository root>")
endif()

# engine header -> why the reference may include it.
set(kAllowed "engine/table_pool.h")
set(kReason_engine/table_pool.h
    "read accessors to the engine's table memory: the MMU reads memory, the walker must too")
# engine names the reference may use (the class of the allowed header).
set(kAllowedNames "engine::TablePool")

set(problems "")

file(GLOB files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/reference/*.h ${SOURCE_DIR}/reference/*.cc)
list(SORT files)
if(NOT files)
  message(FATAL_ERROR "no files under ${SOURCE_DIR}/reference")
endif()

# The lines of a file as a list (semicolons and brackets masked, so that every list
# element is one line).
function(read_lines path out)
  file(READ ${path} content)
  string(REPLACE ";" "<semicolon>" content "${content}")
  string(REPLACE "[" "<lbracket>" content "${content}")
  string(REPLACE "]" "<rbracket>" content "${content}")
  string(REPLACE "\n" ";" content "${content}")
  set(${out} "${content}" PARENT_SCOPE)
endfunction()

set(first TRUE)
foreach(f IN LISTS files)
  read_lines(${SOURCE_DIR}/${f} lines)
  if(first AND DEFINED INJECT)
    list(APPEND lines "${INJECT}")
  endif()
  set(first FALSE)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      set(inc ${CMAKE_MATCH_1})
      if(inc MATCHES "^(common|reference)/")
        continue()
      endif()
      list(FIND kAllowed ${inc} i)
      if(i EQUAL -1)
        string(APPEND problems "  ${f}:${n}: #include \"${inc}\" is not allowed\n")
      endif()
    elseif(NOT line MATCHES "^[ \t]*//")
      # Code (comments may name the engine's code, e.g. engine::geometry_of()).
      string(REGEX MATCHALL "engine::[A-Za-z_][A-Za-z0-9_]*" names "${line}")
      foreach(name IN LISTS names)
        list(FIND kAllowedNames ${name} i)
        if(i EQUAL -1)
          string(APPEND problems "  ${f}:${n}: uses ${name}\n")
        endif()
      endforeach()
    endif()
  endforeach()
endforeach()

# What the allowed engine headers bring in with them.
foreach(h IN LISTS kAllowed)
  read_lines(${SOURCE_DIR}/${h} lines)
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      continue()
    endif()
    set(inc ${CMAKE_MATCH_1})
    if(NOT inc MATCHES "^common/")
      string(APPEND problems
             "  ${h} (allowed: ${kReason_${h}}) includes \"${inc}\"; it may include only common/\n")
    endif()
  endforeach()
endforeach()

if(problems)
  message(FATAL_ERROR "reference/ must decide on its own; engine headers and names that carry "
                      "decisions are not allowed there:\n${problems}"
                      "Shared vocabulary belongs in common/; allowed engine headers and why: see "
                      "reference/check_includes.cmake.")
endif()
list(LENGTH files nfiles)
message(STATUS "reference/: ${nfiles} files, includes only <system>, common/, reference/ and "
               "${kAllowed}")
