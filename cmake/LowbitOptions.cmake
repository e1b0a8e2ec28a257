# SPDX-License-Identifier: GPL-3.0-or-later
# lowbit_options: the compile options every target of ours shares.
add_library(lowbit_options INTERFACE)
target_compile_features(lowbit_options INTERFACE cxx_std_20)
target_compile_options(lowbit_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wno-sign-conversion -Wimplicit-fallthrough)
if(LOWBIT_WERROR)
  target_compile_options(lowbit_options INTERFACE -Werror)
endif()
target_compile_definitions(lowbit_options INTERFACE
  QT_NO_CAST_FROM_ASCII QT_DISABLE_DEPRECATED_UP_TO=0x060400)
if(LOWBIT_NATIVE)
  target_compile_options(lowbit_options INTERFACE -march=native)
endif()
if(LOWBIT_SANITIZE)
  target_compile_options(lowbit_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(lowbit_options INTERFACE -fsanitize=address,undefined)
endif()
if(LOWBIT_FUZZ)
  target_compile_options(lowbit_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(lowbit_options INTERFACE -fsanitize=address,undefined)
endif()
