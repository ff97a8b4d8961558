#!/bin/sh
# Let Telegraf's service user read the configuration (mode 0640), when
# Telegraf's group exists; the file stays root's otherwise.
if getent group telegraf >/dev/null 2>&1; then
  chgrp telegraf /etc/telegraf/mip.conf || true
fi
exit 0
