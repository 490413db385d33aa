"""The SQL of each ``mta-sts reports summary`` view over ``report_rows``, written once.

Saved in the workgroup, shown verbatim in docs/receiver.md and run by the tests with DuckDB
against ``reports summary``. Each takes the first and last day (``dt``: only those days are read)
and counts each submitter + report-id once (``NOT conflict``).
"""

from __future__ import annotations

from typing import Final

_PERIOD = "NOT conflict AND dt BETWEEN ? AND ?"

#: Each report's sessions per domain: ``tlsa`` and ``sts`` are the same sessions (the larger sum counts).
_SESSIONS = f"""(SELECT report_key, organization, domain, dt,
        GREATEST(SUM(CASE WHEN policy_type = 'sts' THEN successful ELSE 0 END),
                 SUM(CASE WHEN policy_type = 'tlsa' THEN successful ELSE 0 END))
          + SUM(CASE WHEN policy_type IN ('sts', 'tlsa') THEN 0 ELSE successful END) AS successful,
        GREATEST(SUM(CASE WHEN policy_type = 'sts' THEN failed ELSE 0 END),
                 SUM(CASE WHEN policy_type = 'tlsa' THEN failed ELSE 0 END))
          + SUM(CASE WHEN policy_type IN ('sts', 'tlsa') THEN 0 ELSE failed END) AS failed
      FROM report_rows
      WHERE kind = 'policy' AND {_PERIOD}
      GROUP BY report_key, organization, domain, dt) AS sessions"""

DOMAINS: Final = f"""SELECT domain,
       SUM(successful) AS successful,
       SUM(failed) AS failed,
       ROUND(CAST(SUM(successful) AS DOUBLE) / NULLIF(SUM(successful) + SUM(failed), 0), 6) AS success_rate
FROM {_SESSIONS}
GROUP BY domain
ORDER BY domain"""

DOMAIN_DAYS: Final = f"""SELECT domain,
       dt AS day,
       SUM(successful) AS successful,
       SUM(failed) AS failed,
       COUNT(DISTINCT organization) AS organizations
FROM {_SESSIONS}
GROUP BY domain, dt
ORDER BY domain, day"""

ORGANIZATIONS: Final = f"""SELECT organization,
       COUNT(DISTINCT report_key) AS reports,
       SUM(successful) AS successful,
       SUM(failed) AS failed,
       COUNT(DISTINCT domain) AS domains
FROM {_SESSIONS}
GROUP BY organization
ORDER BY failed DESC, successful DESC, organization"""

RESULT_TYPES: Final = f"""SELECT result_type,
       SUM(failed_session_count) AS failed,
       COUNT(DISTINCT organization) AS organizations,
       COUNT(DISTINCT mx_host) AS mx_hosts,
       COUNT(DISTINCT domain) AS domains,
       MIN(dt) AS first_day,
       MAX(dt) AS last_day
FROM report_rows
WHERE kind = 'failure' AND {_PERIOD}
GROUP BY result_type
ORDER BY failed DESC, result_type"""

MX_HOSTS: Final = f"""SELECT mx_host,
       SUM(COALESCE(successful, 0)) AS successful,
       SUM(COALESCE(failed_session_count, 0)) AS failed,
       COUNT(DISTINCT receiving_ip) AS ips
FROM report_rows
WHERE mx_host IS NOT NULL AND {_PERIOD}
GROUP BY mx_host
ORDER BY failed DESC, successful DESC, mx_host"""

MX_HOST_IPS: Final = f"""SELECT DISTINCT mx_host, receiving_ip
FROM report_rows
WHERE kind = 'failure' AND receiving_ip IS NOT NULL AND {_PERIOD}
ORDER BY mx_host, receiving_ip"""

POLICIES: Final = f"""SELECT domain,
       policy_type,
       policy_strings AS policy_string,
       COUNT(DISTINCT organization) AS organizations,
       MIN(dt) AS first_day,
       MAX(dt) AS last_day,
       SUM(successful) AS successful,
       SUM(failed) AS failed
FROM report_rows
WHERE kind = 'policy' AND {_PERIOD}
GROUP BY domain, policy_type, policy_strings
ORDER BY domain, first_day, last_day, policy_type"""

#: The reports stored as versions (another body under an existing submitter + report-id): who
#: sent what, and when it arrived (see ``ReportConflicts`` in docs/receiver.md).
CONFLICTS: Final = """SELECT DISTINCT organization, report_id, report_key, dt AS day, received_at
FROM report_rows
WHERE conflict AND dt BETWEEN ? AND ?
ORDER BY day, organization, report_id"""

#: Each ``reports summary`` view (its JSON key) → its query.
VIEWS: Final[dict[str, str]] = {
    "domains": DOMAINS,
    "domains.days": DOMAIN_DAYS,
    "organizations": ORGANIZATIONS,
    "result_types": RESULT_TYPES,
    "mx_hosts": MX_HOSTS,
    "mx_hosts.ips": MX_HOST_IPS,
    "policies": POLICIES,
}
