"""The sending MTAs: one Debian chroot each (built once by mmdebstrap, cached), its address and
host name in the lab's namespace, its configuration and its start script.

Each MTA runs as ``unshare --mount --uts --pid --fork --kill-child`` around a ``chroot`` of an
overlay (the cached chroot below, the run's directory above): its own host name, its own PID
namespace (stopping the ``unshare`` PID ends every process the MTA forked), its own mounts (the
overlay, /proc and /dev vanish with it). Nothing is written to the cached chroot.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field

CACHE = "/var/cache/dsnparse-lab"
SENDER = "jonas"
LIFETIME_S = 240   # queue lifetime of every MTA
WARN_S = 60        # delay warning after
RETRY_S = 20       # retry / queue run interval


@dataclass
class MTA:
    name: str
    ip: str
    packages: list[str]
    version_package: str
    mailbox: str                  # "maildir:<path>" or "mbox:<path>" inside the chroot
    files: dict[str, str] = field(default_factory=dict)   # path -> content, laid into the overlay
    start: str = ""               # shell run in the chroot as the namespace's PID 1; ends by exec'ing
                                  # a foreground process
    dsn: bool = True              # supports DSN on submission
    smtputf8: bool = True
    sendmail_cli: list[str] = field(default_factory=lambda: ["/usr/sbin/sendmail"])
    smtp: bool = True             # has an SMTP server to submit to (else every case goes through sendmail_cli)
    expiry: str = ""              # why the queue lifetime cannot be made short, if it cannot

    @property
    def host(self) -> str:
        return f"{self.name}.example.net"

    @property
    def base(self) -> str:
        return os.path.join(CACHE, self.name)


def common_files(m: MTA) -> dict[str, str]:
    return {
        "/etc/resolv.conf": "nameserver 127.0.0.1\noptions attempts:1 timeout:2\n",
        "/etc/hosts": f"127.0.0.1 localhost\n{m.ip} {m.host} {m.name}\n",
        "/etc/hostname": m.host + "\n",
        "/etc/mailname": m.host + "\n",
        # minbase has no netbase: daemons that look up "smtp" need it
        "/etc/services": "smtp\t\t25/tcp\t\tmail\nsubmission\t587/tcp\ndomain\t\t53/tcp\ndomain\t\t53/udp\n",
    }


COMMON_START = f"""\
set -e
id {SENDER} >/dev/null 2>&1 || useradd -m -s /bin/sh {SENDER}
mkdir -p /home/{SENDER}/Maildir/new /home/{SENDER}/Maildir/cur /home/{SENDER}/Maildir/tmp
chown -R {SENDER}: /home/{SENDER}/Maildir
chmod 1777 /var/mail 2>/dev/null || true
"""


def postfix() -> MTA:
    m = MTA("postfix", "127.0.0.2", ["postfix"], "postfix", f"maildir:/home/{SENDER}/Maildir")
    m.files["/etc/postfix/main.cf"] = textwrap.dedent(f"""\
        compatibility_level = 3.6
        myhostname = {m.host}
        mydomain = example.net
        myorigin = $myhostname
        mydestination = $myhostname, localhost
        inet_interfaces = {m.ip}
        inet_protocols = ipv4
        mynetworks = 127.0.0.0/8
        smtp_bind_address = {m.ip}
        smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
        local_recipient_maps =
        alias_maps =
        alias_database =
        home_mailbox = Maildir/
        biff = no
        smtputf8_enable = yes
        maximal_queue_lifetime = {LIFETIME_S}s
        bounce_queue_lifetime = {LIFETIME_S}s
        delay_warning_time = {WARN_S}s
        queue_run_delay = {RETRY_S}s
        minimal_backoff_time = {RETRY_S}s
        maximal_backoff_time = {RETRY_S * 2}s
        smtp_connect_timeout = 10s
        maillog_file = /var/log/postfix.log
        """)
    m.start = COMMON_START + textwrap.dedent("""\
        postconf -F '*/*/chroot = n'
        postconf -e 'maillog_file = /var/log/postfix.log'
        postconf -M 'postlog/unix-dgram=postlog unix-dgram n - n 1 postlogd' 2>/dev/null || true
        exec /usr/sbin/postfix start-fg
        """)
    return m


def exim() -> MTA:
    m = MTA("exim", "127.0.0.3", ["exim4-daemon-heavy"], "exim4-daemon-heavy", f"maildir:/home/{SENDER}/Maildir")
    m.files["/etc/exim4/exim4.conf"] = textwrap.dedent(f"""\
        primary_hostname = {m.host}
        qualify_domain = {m.host}
        local_interfaces = {m.ip}
        domainlist local_domains = {m.host} : localhost
        hostlist relay_from_hosts = 127.0.0.0/8
        acl_smtp_rcpt = acl_check_rcpt
        dsn_advertise_hosts = *
        smtputf8_advertise_hosts = *
        accept_8bitmime = true
        delay_warning = {WARN_S}s
        timeout_frozen_after = 15m
        ignore_bounce_errors_after = 10m
        host_lookup =
        rfc1413_hosts =
        never_users = root
        log_file_path = /var/log/exim4/%slog
        spool_directory = /var/spool/exim4
        exim_user = Debian-exim
        exim_group = Debian-exim
        trusted_users = root

        begin acl
        acl_check_rcpt:
          accept hosts = +relay_from_hosts
          deny message = relay not permitted

        begin routers
        dnslookup:
          driver = dnslookup
          domains = ! +local_domains
          transport = remote_smtp
          no_more
        localuser:
          driver = accept
          domains = +local_domains
          check_local_user
          transport = local_maildir

        begin transports
        remote_smtp:
          driver = smtp
          interface = {m.ip}
          connect_timeout = 10s
        local_maildir:
          driver = appendfile
          directory = $home/Maildir
          maildir_format
          delivery_date_add
          envelope_to_add
          return_path_add

        begin retry
        *  *  F,{LIFETIME_S}s,{RETRY_S}s

        begin rewrite
        """)
    m.start = COMMON_START + textwrap.dedent(f"""\
        mkdir -p /var/log/exim4 /var/spool/exim4 /run/exim4
        chown -R Debian-exim:Debian-exim /var/log/exim4 /var/spool/exim4 /run/exim4
        exec /usr/sbin/exim4 -bdf -q{RETRY_S}s
        """)
    return m


SENDMAIL_MC = """\
divert(-1)dnl
divert(0)dnl
define(`_USE_ETC_MAIL_')dnl
include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(`debian')dnl
DOMAIN(`debian-mta')dnl
undefine(`confHOST_STATUS_DIRECTORY')dnl
define(`LOCAL_MAILER_PATH', `/usr/libexec/sendmail/mail.local')dnl
define(`LOCAL_MAILER_ARGS', `mail.local -d $u')dnl
FEATURE(`no_default_msa')dnl
DAEMON_OPTIONS(`Family=inet, Name=MTA-v4, Port=smtp, Addr=@IP@')dnl
CLIENT_OPTIONS(`Family=inet, Addr=@IP@')dnl
define(`confDOMAIN_NAME', `@HOST@')dnl
define(`confTO_QUEUEWARN', `@WARN@s')dnl
define(`confTO_QUEUERETURN', `@LIFE@s')dnl
define(`confMIN_QUEUE_AGE', `0')dnl
define(`confTO_CONNECT', `10s')dnl
define(`confTO_ICONNECT', `10s')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confPRIVACY_FLAGS', `authwarnings')dnl
FEATURE(`use_cw_file')dnl
FEATURE(`access_db', , `skip')dnl
MAILER_DEFINITIONS
MAILER(`local')dnl
MAILER(`smtp')dnl
"""


def sendmail() -> MTA:
    m = MTA("sendmail", "127.0.0.4", ["sendmail-bin", "sendmail-cf", "m4", "make"], "sendmail-bin",
            f"mbox:/var/mail/{SENDER}")
    m.files["/etc/mail/sendmail.mc"] = (
        SENDMAIL_MC.replace("@IP@", m.ip).replace("@HOST@", m.host)
        .replace("@WARN@", str(WARN_S)).replace("@LIFE@", str(LIFETIME_S))
    )
    m.files["/etc/mail/local-host-names"] = f"localhost\n{m.host}\n"
    m.start = COMMON_START + textwrap.dedent(f"""\
        cd /etc/mail
        m4 /etc/mail/sendmail.mc > /etc/mail/sendmail.cf
        newaliases || true
        mkdir -p /run/sendmail/mta
        exec /usr/sbin/sendmail -bD -q{RETRY_S}s
        """)
    # MTA mode (not the MSP, which would submit to 127.0.0.1), errors mailed back, background delivery
    m.sendmail_cli = ["/usr/sbin/sendmail", "-Am", "-oem", "-odb"]
    return m


def opensmtpd() -> MTA:
    m = MTA("opensmtpd", "127.0.0.5", ["opensmtpd"], "opensmtpd", f"maildir:/home/{SENDER}/Maildir")
    m.files["/etc/smtpd.conf"] = textwrap.dedent(f"""\
        queue ttl {LIFETIME_S}s
        bounce warn-interval {WARN_S}s
        listen on {m.ip} hostname {m.host}
        action "local" maildir "~/Maildir"
        action "out" relay src {m.ip} helo {m.host}
        match from any for domain "{m.host}" action "local"
        match from any for any action "out"
        """)
    m.start = COMMON_START + textwrap.dedent(f"""\
        mkdir -p /run
        ( while sleep {RETRY_S}; do smtpctl schedule all >/dev/null 2>&1; done ) &
        exec /usr/sbin/smtpd -d -f /etc/smtpd.conf
        """)
    return m


def courier() -> MTA:
    m = MTA("courier", "127.0.0.6", ["courier-mta"], "courier-mta", f"maildir:/home/{SENDER}/Maildir")
    m.files["/etc/courier/me"] = m.host + "\n"
    m.files["/etc/courier/defaultdomain"] = m.host + "\n"
    m.files["/etc/courier/locals"] = f"localhost\n{m.host}\n"
    m.files["/etc/courier/queuetime"] = f"{LIFETIME_S // 60}m\n"
    m.files["/etc/courier/warntime"] = f"{WARN_S // 60}m\n"
    m.files["/etc/courier/retryalpha"] = f"{RETRY_S}\n"
    m.files["/etc/courier/retrybeta"] = "3\n"
    m.files["/etc/courier/retrygamma"] = f"{RETRY_S}\n"
    m.files["/etc/courier/retrymaxdelta"] = "1\n"
    m.files["/etc/courier/smtpaccess/default"] = "127.0.0.1\tallow,RELAYCLIENT\n"
    m.start = COMMON_START + textwrap.dedent(f"""\
        sed -i -e 's/^BOFHCHECKDNS=.*/BOFHCHECKDNS=0/' -e 's/^TARPIT=.*/TARPIT=0/' \\
               -e 's/^ESMTPDSTART=.*/ESMTPDSTART=YES/' /etc/courier/esmtpd
        echo 'ADDRESS={m.ip}' >> /etc/courier/esmtpd
        sed -i -e 's/^ESMTP_USE_STARTTLS=.*/ESMTP_USE_STARTTLS=0/' \\
               -e 's/^ESMTP_PREFER_IPV6_MX=.*/ESMTP_PREFER_IPV6_MX=0/' /etc/courier/courierd
        mkdir -p /run/courier /var/run/courier
        chown courier:courier /run/courier 2>/dev/null || true
        makesmtpaccess
        makealiases || true
        mkdir -p /run/courier/authdaemon
        /usr/sbin/authdaemond start     # courier looks local users up through it (authpam)
        courier start
        esmtpd start
        exec sleep infinity
        """)
    return m


def dma() -> MTA:
    """The DragonFly Mail Agent: no daemon, no SMTP server; sendmail(8) queues and delivers."""
    m = MTA("dma", "127.0.0.7", ["dma"], "dma", f"mbox:/var/mail/{SENDER}", smtp=False)
    m.expiry = "dma's queue lifetime is compiled in (MAX_TIMEOUT, 5 days) and it sends no delay warnings"
    m.files["/etc/dma/dma.conf"] = "MAILNAME /etc/mailname\n"
    m.start = COMMON_START + textwrap.dedent(f"""\
        ( while sleep {RETRY_S}; do /usr/sbin/dma -q >/dev/null 2>&1; done ) &
        exec sleep infinity
        """)
    return m


def build_all() -> dict[str, MTA]:
    out = {}
    for f in (postfix, exim, sendmail, opensmtpd, courier, dma):
        m = f()
        m.files = {**common_files(m), **m.files}
        out[m.name] = m
    return out


MTAS = build_all()
