# Data built into the binary, so thoth needs no data files at run time.
#
# thoth_embed(TARGET SYMBOL FILE) compiles FILE into TARGET as
#   const unsigned char SYMBOL[];   the bytes, followed by one NUL
#   const size_t SYMBOL_len;        their count (without the NUL)
#
# thoth_embed_rules(TARGET ROOT) compiles every rule file under ROOT
# (*.yaml, *.yml; the import-name table, data of another kind, stays out)
# into TARGET as the table analyzer/rules_embedded.h declares, in path order.
#
# Both regenerate whenever an input changes. The generator is this same file
# run in script mode (cmake -P), so no other tool is needed; bytes are
# written as numbers, so any content (quotes, backslashes, non-ASCII)
# compiles, and an output is rewritten only when its content changes, so an
# unchanged input rebuilds nothing.

# embed__array(OUTVAR LENVAR FILE): FILE's bytes as "0x..,0x..," text, 32 to
# a line, and their count.
macro(embed__array outvar lenvar file)
  file(READ "${file}" embed__hex HEX)
  string(LENGTH "${embed__hex}" embed__nhex)
  math(EXPR ${lenvar} "${embed__nhex} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," embed__hex "${embed__hex}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" ${outvar} "${embed__hex}")
endmacro()

function(embed__write out body)
  if(EXISTS "${out}")
    file(READ "${out}" old)
    if(old STREQUAL body)
      return()
    endif()
  endif()
  file(WRITE "${out}.tmp" "${body}")
  file(RENAME "${out}.tmp" "${out}")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  if(MODE STREQUAL "file")
    embed__array(bytes n "${IN}")
    string(CONCAT body
      "/* generated from ${NAME} by cmake/Embed.cmake; do not edit */\n"
      "#include <stddef.h>\n"
      "extern const unsigned char ${SYM}[];\nextern const size_t ${SYM}_len;\n"
      "const unsigned char ${SYM}[] = {\n${bytes}0x00 };\n"
      "const size_t ${SYM}_len = ${n};\n")
    embed__write("${OUT}" "${body}")
  elseif(MODE STREQUAL "rules")
    file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/*.yaml" "${ROOT}/*.yml")
    list(FILTER files EXCLUDE REGEX "^import-names")
    list(SORT files)
    set(body "/* generated from rules/ by cmake/Embed.cmake; do not edit */\n")
    string(APPEND body "#include \"analyzer/rules_embedded.h\"\n\n")
    set(table "")
    set(i 0)
    foreach(f ${files})
      embed__array(bytes len "${ROOT}/${f}")
      string(APPEND body "static const char rules__f${i}[] = {\n${bytes}0x00\n};\n")
      string(APPEND table "\t{ \"${f}\", rules__f${i}, ${len} },\n")
      math(EXPR i "${i} + 1")
    endforeach()
    if(i EQUAL 0)
      string(APPEND table "\t{ 0, 0, 0 },\n")
    endif()
    string(APPEND body "\nconst th_rules_embedded_file th_rules_embedded[] = {\n${table}};\n")
    string(APPEND body "const size_t th_rules_embedded_n = ${i};\n")
    embed__write("${OUT}" "${body}")
  else()
    message(FATAL_ERROR "cmake/Embed.cmake: MODE must be file or rules, not '${MODE}'")
  endif()
  return()
endif()

function(thoth_embed target sym file)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embed/${sym}.c")
  file(RELATIVE_PATH name "${PROJECT_SOURCE_DIR}" "${file}")
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/embed")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DMODE=file -DIN=${file} -DOUT=${out} -DSYM=${sym} -DNAME=${name}
            -P "${PROJECT_SOURCE_DIR}/cmake/Embed.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/Embed.cmake"
    COMMENT "embedding ${name}" VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()

function(thoth_embed_rules target root)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embed/rules_embedded.c")
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/embed")
  file(GLOB_RECURSE rule_files CONFIGURE_DEPENDS "${root}/*.yaml" "${root}/*.yml")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DMODE=rules -DROOT=${root} -DOUT=${out}
            -P "${PROJECT_SOURCE_DIR}/cmake/Embed.cmake"
    DEPENDS ${rule_files} "${PROJECT_SOURCE_DIR}/cmake/Embed.cmake"
    COMMENT "embedding rules/" VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
