# Data files built into the binary, so thoth needs no data files at run time.
# thoth_embed(TARGET SYMBOL FILE) compiles FILE into TARGET as
#   const unsigned char SYMBOL[];   the bytes, followed by one NUL
#   const size_t SYMBOL_len;        their count (without the NUL)
# regenerated whenever FILE changes. The generator is this same file run in
# script mode (cmake -P), so no other tool is needed.
if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${IN}" hex HEX)
  string(LENGTH "${hex}" nhex)
  math(EXPR n "${nhex} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  # One line per 32 bytes keeps the generated file readable by an editor.
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" hex "${hex}")
  file(WRITE "${OUT}.tmp"
       "/* generated from ${NAME} by cmake/Embed.cmake; do not edit */\n"
       "#include <stddef.h>\n"
       "extern const unsigned char ${SYM}[];\nextern const size_t ${SYM}_len;\n"
       "const unsigned char ${SYM}[] = {\n${hex}0x00 };\n"
       "const size_t ${SYM}_len = ${n};\n")
  file(RENAME "${OUT}.tmp" "${OUT}")
  return()
endif()

function(thoth_embed target sym file)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embed/${sym}.c")
  file(RELATIVE_PATH name "${PROJECT_SOURCE_DIR}" "${file}")
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/embed")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DIN=${file} -DOUT=${out} -DSYM=${sym} -DNAME=${name}
            -P "${PROJECT_SOURCE_DIR}/cmake/Embed.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/Embed.cmake"
    COMMENT "embedding ${name}" VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
