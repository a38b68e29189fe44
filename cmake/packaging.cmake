# Debian packages through CPack's DEB generator: swell-controller,
# swell-agent and swellctl, one install component each. deploy/package.sh
# builds what they need and runs cpack; docs/install.md says what they
# install and where.
#
# Paths are the Debian ones whatever CMAKE_INSTALL_PREFIX says: binaries in
# /usr/bin, conffiles in /etc, units in /lib/systemd/system (bookworm's
# place for them).

set(SWELL_DEB_DIR ${PROJECT_SOURCE_DIR}/deploy/debian)
set(SWELL_DEB_OUT ${PROJECT_BINARY_DIR}/debian)
set(SWELL_PACKAGE_MAINTAINER
  "Swell maintainers <maintainers@users.noreply.h-seed-51cb4baa.example>"
  CACHE STRING "The Maintainer field of the Debian packages")

# component -> package name; its binary target.
set(SWELL_PKG_controller swell-controller)
set(SWELL_PKG_agent swell-agent)
set(SWELL_PKG_ctl swellctl)
set(SWELL_BIN_controller swell-controller)
set(SWELL_BIN_agent swell-agent)
set(SWELL_BIN_ctl swellctl)
set(SWELL_MAN_controller "the Swell rollout controller")
set(SWELL_MAN_agent "keeps a host on its Swell controller's desired state")
set(SWELL_MAN_ctl "submit, watch and stop Swell rollouts")

# Man pages made from each binary's --help (help2man, which
# deploy/install-deps.sh installs): the swell-man target, part of `all`
# when help2man is found. Without it the packages ship no man page.
find_program(SWELL_HELP2MAN help2man)
set(swell_man_pages)
foreach(comp controller agent ctl)
  set(bin ${SWELL_BIN_${comp}})
  set(page ${SWELL_DEB_OUT}/man/${bin}.1.gz)
  if(SWELL_HELP2MAN)
    add_custom_command(OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${SWELL_DEB_OUT}/man
      COMMAND ${SWELL_HELP2MAN} --no-info --no-discard-stderr
        --version-string=${PROJECT_VERSION} --section=1
        "--name=${SWELL_MAN_${comp}}" $<TARGET_FILE:${bin}> | gzip -9n > ${page}
      DEPENDS ${bin}
      COMMENT "help2man ${bin}"
      VERBATIM)
    list(APPEND swell_man_pages ${page})
  endif()
  install(FILES ${page} DESTINATION share/man/man1 COMPONENT ${comp} OPTIONAL)
endforeach()
if(SWELL_HELP2MAN)
  add_custom_target(swell-man ALL DEPENDS ${swell_man_pages})
endif()

# The changelog, compressed as Debian wants it (no name, no timestamp).
file(MAKE_DIRECTORY ${SWELL_DEB_OUT})
execute_process(COMMAND gzip -9nc ${SWELL_DEB_DIR}/changelog
  OUTPUT_FILE ${SWELL_DEB_OUT}/changelog.gz COMMAND_ERROR_IS_FATAL ANY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SWELL_DEB_DIR}/changelog)

# Full RELRO (bind now), as Debian's own packages link: the agent runs as
# root. (-D_FORTIFY_SOURCE would need every object rebuilt; lintian notes
# its absence as information only.)
foreach(bin swell-controller swell-agent swellctl)
  target_link_options(${bin} PRIVATE LINKER:-z,relro LINKER:-z,now)
endforeach()

install(TARGETS swell-controller RUNTIME DESTINATION bin COMPONENT controller)
install(TARGETS swell-agent RUNTIME DESTINATION bin COMPONENT agent)
install(TARGETS swellctl RUNTIME DESTINATION bin COMPONENT ctl)

foreach(comp controller agent ctl)
  set(doc share/doc/${SWELL_PKG_${comp}})
  install(FILES ${SWELL_DEB_DIR}/copyright ${SWELL_DEB_OUT}/changelog.gz
    DESTINATION ${doc} COMPONENT ${comp})
endforeach()
install(FILES docs/install.md docs/security.md docs/runbook.md docs/architecture.md
  DESTINATION share/doc/swell-controller COMPONENT controller)
install(FILES docs/install.md docs/agent.md docs/change-kinds.md
  DESTINATION share/doc/swell-agent COMPONENT agent)
install(FILES docs/plans.md docs/change-kinds.md
  DESTINATION share/doc/swellctl COMPONENT ctl)
install(DIRECTORY deploy/examples/ DESTINATION share/doc/swellctl/examples
  COMPONENT ctl FILES_MATCHING PATTERN "*.yaml")

# Conffiles: every file below /etc, listed for dpkg from what is installed.
file(GLOB swell_policies RELATIVE ${PROJECT_SOURCE_DIR}/policies
  ${PROJECT_SOURCE_DIR}/policies/*.yaml)
set(conffiles_controller /etc/default/swell-controller /etc/swell/controller.yaml)
foreach(p ${swell_policies})
  list(APPEND conffiles_controller /etc/swell/policies/${p})
endforeach()
set(conffiles_agent /etc/default/swell-agent /etc/swell/agent.yaml)
install(DIRECTORY policies/ DESTINATION /etc/swell/policies COMPONENT controller
  FILES_MATCHING PATTERN "*.yaml")
install(FILES ${SWELL_DEB_DIR}/swell-controller.default DESTINATION /etc/default
  RENAME swell-controller COMPONENT controller)
install(FILES ${SWELL_DEB_DIR}/swell-agent.default DESTINATION /etc/default
  RENAME swell-agent COMPONENT agent)
install(FILES ${SWELL_DEB_DIR}/controller.yaml DESTINATION /etc/swell COMPONENT controller)
install(FILES ${SWELL_DEB_DIR}/agent.yaml DESTINATION /etc/swell COMPONENT agent)
install(FILES deploy/systemd/swell-controller.service
  DESTINATION /lib/systemd/system COMPONENT controller)
install(FILES deploy/systemd/swell-agent.service
  DESTINATION /lib/systemd/system COMPONENT agent)

foreach(comp controller agent)
  set(pkg ${SWELL_PKG_${comp}})
  string(REPLACE ";" "\n" lines "${conffiles_${comp}}")
  file(WRITE ${SWELL_DEB_OUT}/${pkg}/conffiles "${lines}\n")
  foreach(script postinst prerm postrm)
    configure_file(${SWELL_DEB_DIR}/${pkg}.${script}
      ${SWELL_DEB_OUT}/${pkg}/${script} COPYONLY)
  endforeach()
  string(TOUPPER ${comp} COMP)
  set(CPACK_DEBIAN_${COMP}_PACKAGE_CONTROL_EXTRA
    ${SWELL_DEB_OUT}/${pkg}/conffiles ${SWELL_DEB_OUT}/${pkg}/postinst
    ${SWELL_DEB_OUT}/${pkg}/prerm ${SWELL_DEB_OUT}/${pkg}/postrm)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME swell)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${SWELL_PACKAGE_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL controller agent ctl)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps names the Debian libraries each binary links (libgrpc++,
# libprotobuf, libpqxx, libyaml-cpp, libssl ...); Depends below adds the rest.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_DEBIAN_CONTROLLER_PACKAGE_NAME swell-controller)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME swell-agent)
set(CPACK_DEBIAN_CTL_PACKAGE_NAME swellctl)
# postinst makes the swell user (adduser); the controller needs a PostgreSQL
# somewhere, not necessarily on this host.
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_SUGGESTS "postgresql, swellctl")
# The package and docker appliers run apt-get (dpkg is essential); the systemd
# collector runs systemctl.
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "apt")
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "systemd")

set(CPACK_COMPONENT_CONTROLLER_DESCRIPTION
"Swell rollout controller
Swell rolls infrastructure changes (a config file, a Debian package, the
Docker engine's version, a command) across a fleet in growing waves, gates
every wave on health samples that agents report, and rolls a change that
hurts back by itself.
.
This package holds swell-controller, which keeps every host's desired state
in PostgreSQL, admits hosts wave by wave and serves agents (mutual TLS) and
swellctl (TLS and tokens), with its systemd unit and a swell system user.")
set(CPACK_COMPONENT_AGENT_DESCRIPTION
"Swell agent: enacts a controller's desired state on this host
Swell rolls infrastructure changes across a fleet in growing waves, gated on
health samples, and rolls back by itself.
.
This package holds swell-agent, which runs as root on every host, reports
its labels, actual values and health samples to the controller, and enacts
file, package, Docker and command changes within the guardrails its
/etc/swell/agent.yaml sets.")
set(CPACK_COMPONENT_CTL_DESCRIPTION
"Swell command-line client
Swell rolls infrastructure changes across a fleet in growing waves, gated on
health samples, and rolls back by itself.
.
This package holds swellctl, which previews, submits, watches, halts and
rolls back rollouts and freezes the fleet, with example plans.")

include(CPack)
