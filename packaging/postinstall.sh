#!/bin/sh
# Telegraf's service user reads the configuration (mode 0640, group
# telegraf) and writes state_file in /var/lib/telegraf. Telegraf's package
# creates that group, and the directory when missing (root:telegraf 0770):
# when Telegraf came first, make the directory as its package does, so that
# either order ends the same. Without the group (Telegraf not installed
# yet, or from a tarball), say what to run once it is.
if getent group telegraf >/dev/null 2>&1; then
  chgrp telegraf /etc/telegraf/mip.conf || true
  if [ ! -d /var/lib/telegraf ]; then
    install -d -o root -g telegraf -m 0770 /var/lib/telegraf || true
  fi
else
  echo "telegraf-mip: no telegraf group here (Telegraf is not installed yet); after installing Telegraf, run as root:"
  echo "  chgrp telegraf /etc/telegraf/mip.conf"
  echo "  install -d -o root -g telegraf -m 0770 /var/lib/telegraf"
fi
# On a poller, telegraf-mip-centreon keeps its --memory state and the MIP
# answer its checks share in the Centreon plugins' state directory, as the
# user the monitoring engine runs checks as: Centreon Engine's
# centreon-engine, Nagios' nagios (Icinga 2's on Debian too), Icinga's
# icinga. Create it for the first of them found, when nothing created it
# (the Centreon plugins' own, otherwise, left as it is); group-writable as
# Centreon makes it: the check trusts only the files its own user wrote.
# With none of those users, say what to run: without the directory every
# check downloads on its own (and says so in its output).
dir=/var/lib/centreon/centplugins
if [ ! -d "$dir" ]; then
  engine=
  for user in centreon-engine nagios icinga; do
    if getent passwd "$user" >/dev/null 2>&1; then
      engine=$user
      break
    fi
  done
  if [ -n "$engine" ]; then
    group=$(id -gn "$engine")
    mkdir -p /var/lib/centreon
    install -d -o "$engine" -g "$group" -m 0775 "$dir" || true
  else
    echo "telegraf-mip: no centreon-engine, nagios or icinga user here; for telegraf-mip-centreon's shared MIP answer and --memory state, run as root:"
    echo "  install -d -o <engine user> -g <its group> -m 0775 $dir"
  fi
fi
exit 0
