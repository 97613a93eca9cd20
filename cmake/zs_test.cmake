# zs_add_test(NAME <name> LABEL unit|integration|long SOURCES <files...> [LIBS <libs...>] [TIMEOUT s])
# Builds a test program linked with zs_core, the test support library and LIBS (e.g. zs_http), and
# registers it with ctest under the label. Integration tests read ZS_TEST_REDIS_URL and
# ZS_TEST_KAFKA_BROKERS, which tests/run.sh exports before it calls ctest.
function(zs_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${T_NAME} PRIVATE zstestsupport zs_core ${T_LIBS})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT})
endfunction()
