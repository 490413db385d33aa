"""``dane:<mx>`` with real DNSSEC: a zone signed by dnspython (ECDSA P-256, NSEC), served by a loopback
authoritative server, and Debian's ``unbound`` on 127.0.0.1 validating it with the zone's key as trust
anchor; ``--dnssec-resolver`` points at unbound, so the AD bit the check reads is one a real validator
set. An unsigned zone, a tampered signature (bogus: unbound answers SERVFAIL) and a mismatch are beside
it. Skipped where unbound is not installed (``apt-get install unbound``)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.dnssec
import dns.dnssectypes
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pulumi_mta_sts.check import Status
from pulumi_mta_sts.core.tlsa import record_for
from tests.check.test_dane_live import World, check, row, serve_new_key
from tests.livefixture import live_fixture
from tests.livefixture.dns_server import DnsFixture

UNBOUND = shutil.which("unbound") or shutil.which("unbound", path="/usr/sbin:/usr/local/sbin")
pytestmark = pytest.mark.skipif(UNBOUND is None, reason="unbound is not installed (apt-get install unbound)")

SIGNED, UNSIGNED = "sig.test", "plain.test"


def _zone(origin: str, records: list[str]) -> dns.zone.Zone:
    text = "\n".join(
        [f"@ 300 IN SOA ns.{origin}. hostmaster.{origin}. 1 300 300 3600 300", f"@ 300 IN NS ns.{origin}."]
    )
    return dns.zone.from_text(text + "\n" + "\n".join(records) + "\n", origin=origin, relativize=False)


def _signed(zone: dns.zone.Zone) -> str:
    """Sign ``zone`` (NSEC chain, DNSKEY added); the trust anchor unbound is given, as a DNSKEY line."""
    key = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssectypes.Algorithm.ECDSAP256SHA256, flags=257)
    with zone.writer() as txn:
        dns.dnssec.sign_zone(zone, txn, keys=[(key, dnskey)], lifetime=86_400)
    return f"{zone.origin} DNSKEY {dnskey.to_text()}"


class Authoritative:
    """An authoritative UDP server on 127.0.0.1 for ``zones``: data with its RRSIGs, negative answers with
    the SOA, the NSEC records and their RRSIGs of the zone (what a validator needs for each)."""

    def __init__(self, zones: list[dns.zone.Zone]) -> None:
        self.zones = zones
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                wire, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(wire)
            self.sock.sendto(self.answer(query).to_wire(max_size=4096), peer)

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        qname, rdtype = query.question[0].name, query.question[0].rdtype
        zone = next((z for z in self.zones if z.origin is not None and qname.is_subdomain(z.origin)), None)
        if zone is None or zone.origin is None:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        node = zone.get_node(qname)
        found = node.get_rdataset(dns.rdataclass.IN, rdtype) if node is not None else None
        if found is not None:
            self._add(response.answer, zone, qname, rdtype)
            return response
        if node is None:
            response.set_rcode(dns.rcode.NXDOMAIN)  # the tests ask no name that does not exist
        self._add(response.authority, zone, zone.origin, dns.rdatatype.SOA)
        self._add(response.authority, zone, qname, dns.rdatatype.NSEC)
        return response

    @staticmethod
    def _add(
        section: list[dns.rrset.RRset], zone: dns.zone.Zone, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> None:
        node = zone.get_node(name)
        if node is None:
            return
        for wanted, covers in ((rdtype, dns.rdatatype.NONE), (dns.rdatatype.RRSIG, rdtype)):
            rdataset = node.get_rdataset(dns.rdataclass.IN, wanted, covers)
            if rdataset is not None:
                rrset = dns.rrset.RRset(name, dns.rdataclass.IN, wanted, covers)
                rrset.update(rdataset)  # type: ignore[no-untyped-call]
                section.append(rrset)

    def stop(self) -> None:
        self.sock.close()


def _unbound_conf(workdir: Path, port: int, auth_port: int, anchor: str) -> str:
    stubs = "".join(f'stub-zone:\n  name: "{z}"\n  stub-addr: 127.0.0.1@{auth_port}\n' for z in (SIGNED, UNSIGNED))
    return f"""server:
  interface: 127.0.0.1
  port: {port}
  do-daemonize: no
  use-syslog: no
  logfile: ""
  username: ""
  chroot: ""
  pidfile: ""
  directory: "{workdir}"
  do-ip6: no
  do-tcp: yes
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  qname-minimisation: no
  local-zone: "test." nodefault
  # Offline, unbound cannot reach the root; the check's reachability probe asks the root's NS.
  local-zone: "." transparent
  local-data: ". 3600 IN NS ns.{SIGNED}."
  module-config: "validator iterator"
  trust-anchor: "{anchor}"
{stubs}"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_answering(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Readiness: ask until unbound answers (each try waits for an answer, at most a second)."""
    query = dns.message.make_query(f"ns.{SIGNED}", "A")
    for _ in range(60):
        if process.poll() is not None:
            raise RuntimeError(f"unbound ended: {log.read_text()[-2000:]}")
        try:
            dns.query.udp(query, "127.0.0.1", timeout=1.0, port=port)
            return
        except (dns.exception.Timeout, OSError):
            continue
    raise RuntimeError("unbound did not answer")


@dataclass
class Validated:
    world: World
    resolver: str  # 127.0.0.1:PORT of unbound


def _records(world: World) -> tuple[list[str], list[str]]:
    """The signed zone's MX hosts (``ok`` matches, ``bad`` names another key, ``bogus`` is tampered with after
    signing) and the unsigned zone's (``mx``), each serving a fresh certificate."""
    signed, unsigned = ["ns 300 IN A 127.0.0.1"], ["ns 300 IN A 127.0.0.1"]
    other = serve_new_key(world, "other.invalid")[0]
    for label, zone in (("ok", SIGNED), ("bad", SIGNED), ("bogus", SIGNED), ("mx", UNSIGNED)):
        leaf = serve_new_key(world, f"{label}.{zone}")[0]
        named = other if label == "bad" else leaf
        lines = [f"{label} 300 IN A 127.0.0.1", f"_25._tcp.{label} 300 IN TLSA {_tlsa_text(named)}"]
        (signed if zone == SIGNED else unsigned).extend(lines)
    return signed, unsigned


@pytest.fixture(scope="module")
def validated() -> Iterator[Validated]:
    assert UNBOUND is not None
    with live_fixture() as live, tempfile.TemporaryDirectory() as workdir:
        ad_setting = DnsFixture(live.zone, sets_ad=True)  # World's; these tests ask unbound
        world = World(live, ad_setting, live.pki.ca.create_child_ca(), iter(range(10**6)), threading.Lock())
        signed_records, unsigned_records = _records(world)
        signed = _zone(SIGNED, signed_records)
        anchor = _signed(signed)
        _tamper(signed, f"_25._tcp.bogus.{SIGNED}.")
        auth = Authoritative([signed, _zone(UNSIGNED, unsigned_records)])
        port = _free_port()
        conf = Path(workdir) / "unbound.conf"
        conf.write_text(_unbound_conf(Path(workdir), port, auth.port, anchor))
        log = Path(workdir) / "unbound.log"
        with log.open("wb") as output:
            process = subprocess.Popen([UNBOUND, "-d", "-c", str(conf)], stdout=output, stderr=output)
        try:
            _wait_until_answering(port, process, log)
            yield Validated(world, f"127.0.0.1:{port}")
        finally:
            process.terminate()
            process.wait(timeout=30)
            auth.stop()
            ad_setting.stop()


def _tlsa_text(leaf: bytes) -> str:
    return f"3 1 1 {record_for(leaf, 3, 1, 1).data.hex()}"


def _tamper(zone: dns.zone.Zone, name: str) -> None:
    """Change the TLSA data at ``name`` after signing: its RRSIG no longer verifies (bogus)."""
    with zone.writer() as txn:
        rdataset = txn.get(name, "TLSA")
        rdata = rdataset[0]
        changed = rdata.replace(cert=bytes([rdata.cert[0] ^ 1]) + rdata.cert[1:])
        txn.replace(name, dns.rdataset.from_rdata(rdataset.ttl, changed))


def _row(v: Validated, mx: str) -> tuple[Status, str, str]:
    """The ``dane:<mx>`` row of a correct MTA-STS domain whose one MX host is ``mx``, DANE asked of unbound."""
    domain = f"d{next(v.world.names)}.unbound.test"
    v.world.live.publish(domain, mx_hosts=(mx,), smtp_certs=False)
    return row(check(v.world, domain, resolver=v.resolver), mx)


def test_a_matching_tlsa_record_validated_by_unbound_is_dane(validated: Validated) -> None:
    status, detail, _ = _row(validated, f"ok.{SIGNED}")
    assert status is Status.WARN and "DANE valid" in detail and "only the current key" in detail


def test_a_mismatching_tlsa_record_validated_by_unbound_fails(validated: Validated) -> None:
    status, detail, _ = _row(validated, f"bad.{SIGNED}")
    assert status is Status.FAIL and "validating senders will not deliver" in detail


def test_a_tlsa_record_of_an_unsigned_zone_is_not_validated(validated: Validated) -> None:
    status, detail, _ = _row(validated, f"mx.{UNSIGNED}")
    assert status is Status.WARN and "not validated (the zone is unsigned" in detail


def test_a_bogus_signature_makes_unbound_refuse_the_answer_and_the_row_warns(validated: Validated) -> None:
    status, detail, _ = _row(validated, f"bogus.{SIGNED}")
    assert status is Status.WARN and "defers mail" in detail
