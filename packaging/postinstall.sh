#!/bin/sh
# Let Telegraf's service user read the configuration (mode 0640), when
# Telegraf's group exists; the file stays root's otherwise.
if getent group telegraf >/dev/null 2>&1; then
  chgrp telegraf /etc/telegraf/mip.conf || true
fi
# On a Centreon poller, telegraf-mip-centreon (run by Centreon Engine as
# centreon-engine) keeps its --memory state and the MIP answer it shares
# between checks in the Centreon plugins' state directory: create it when
# the Centreon plugins have not (it is theirs otherwise, left as it is).
if getent passwd centreon-engine >/dev/null 2>&1 && [ ! -d /var/lib/centreon/centplugins ]; then
  group=centreon-engine
  getent group centreon-engine >/dev/null 2>&1 || group=$(id -gn centreon-engine)
  install -d -o centreon-engine -g "$group" -m 0775 /var/lib/centreon/centplugins || true
fi
exit 0
