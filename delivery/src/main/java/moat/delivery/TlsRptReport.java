package moat.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import moat.core.EmailAddress;

/**
 * One aggregate TLS report (RFC 8460 section 4): the JSON of section 4.4 for one policy domain
 * and one UTC day, gzip'd into the {@code multipart/report; report-type="tlsrpt"} message of
 * section 5.3 with an {@code application/tlsrpt+gzip} part named as section 5.1 asks.
 */
final class TlsRptReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private final String organization;
    private final String submitter;
    private final EmailAddress sender;
    private final String domain;
    private final LocalDate day;
    private final Map<TlsRpt.Policy, TlsRpt.Counts> policies;
    private final String reportId;

    TlsRptReport(String organization, String submitter, EmailAddress sender, String domain, LocalDate day,
                 Map<TlsRpt.Policy, TlsRpt.Counts> policies) {
        this.organization = organization;
        this.submitter = submitter;
        this.sender = sender;
        this.domain = domain;
        this.day = day;
        this.policies = policies;
        this.reportId = day + "." + UUID.randomUUID() + "@" + submitter;
    }

    String reportId() {
        return reportId;
    }

    /** Section 4.4: the report body. */
    byte[] json() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("organization-name", organization);
        ObjectNode range = root.putObject("date-range");
        range.put("start-datetime", RFC3339.format(day.atStartOfDay(ZoneOffset.UTC)));
        range.put("end-datetime", RFC3339.format(day.atTime(23, 59, 59).atZone(ZoneOffset.UTC)));
        root.put("contact-info", sender.toString());
        root.put("report-id", reportId);
        ArrayNode list = root.putArray("policies");
        for (var e : policies.entrySet()) {
            ObjectNode p = list.addObject();
            ObjectNode policy = p.putObject("policy");
            policy.put("policy-type", e.getKey().type());
            if (!e.getKey().strings().isEmpty()) {
                ArrayNode s = policy.putArray("policy-string");
                e.getKey().strings().forEach(s::add);
            }
            policy.put("policy-domain", domain);
            if (!e.getKey().mxHosts().isEmpty()) {
                ArrayNode mx = policy.putArray("mx-host");
                e.getKey().mxHosts().forEach(mx::add);
            }
            ObjectNode summary = p.putObject("summary");
            summary.put("total-successful-session-count", e.getValue().success);
            summary.put("total-failure-session-count", e.getValue().failure);
            if (!e.getValue().details.isEmpty()) {
                ArrayNode details = p.putArray("failure-details");
                for (var d : e.getValue().details.entrySet()) {
                    ObjectNode n = details.addObject();
                    n.put("result-type", d.getKey().type().token());
                    if (!d.getKey().mxHost().isEmpty()) n.put("receiving-mx-hostname", d.getKey().mxHost());
                    if (!d.getKey().receivingIp().isEmpty()) n.put("receiving-ip", d.getKey().receivingIp());
                    n.put("failed-session-count", d.getValue());
                }
            }
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** Section 5.3: the whole message, CRLF line ends, 7-bit. */
    byte[] message(List<EmailAddress> to, Instant now) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(json());
        }
        long start = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        long end = start + 86_400 - 1;
        // Section 5.1: sender "!" policy-domain "!" begin-timestamp "!" end-timestamp "." extension
        String filename = submitter + "!" + domain + "!" + start + "!" + end + ".json.gz";
        String boundary = "tlsrpt-" + UUID.randomUUID();
        String nl = "\r\n";
        StringBuilder sb = new StringBuilder();
        sb.append("From: ").append(sender).append(nl);
        sb.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(now, ZoneOffset.UTC))).append(nl);
        sb.append("To: ").append(String.join(", ", to.stream().map(EmailAddress::toString).toList())).append(nl);
        sb.append("Subject: Report Domain: ").append(domain).append(" Submitter: ").append(submitter)
                .append(" Report-ID: <").append(reportId).append('>').append(nl);
        sb.append("TLS-Report-Domain: ").append(domain).append(nl);
        sb.append("TLS-Report-Submitter: ").append(submitter).append(nl);
        sb.append("Message-ID: <").append(reportId).append('>').append(nl);
        sb.append("MIME-Version: 1.0").append(nl);
        sb.append("Content-Type: multipart/report; report-type=\"tlsrpt\";").append(nl)
                .append("\tboundary=\"").append(boundary).append('"').append(nl);
        sb.append(nl).append("This is a multipart message in MIME format.").append(nl).append(nl);
        sb.append("--").append(boundary).append(nl);
        sb.append("Content-Type: text/plain; charset=\"us-ascii\"").append(nl);
        sb.append("Content-Transfer-Encoding: 7bit").append(nl).append(nl);
        sb.append("This is an aggregate TLS report from ").append(submitter).append(" for ").append(domain)
                .append(" on ").append(day).append(" (RFC 8460).").append(nl).append(nl);
        sb.append("--").append(boundary).append(nl);
        sb.append("Content-Type: application/tlsrpt+gzip").append(nl);
        sb.append("Content-Transfer-Encoding: base64").append(nl);
        sb.append("Content-Disposition: attachment;").append(nl).append("\tfilename=\"").append(filename).append('"').append(nl);
        sb.append(nl);
        sb.append(Base64.getMimeEncoder(76, nl.getBytes(StandardCharsets.US_ASCII)).encodeToString(gz.toByteArray())).append(nl);
        sb.append("--").append(boundary).append("--").append(nl);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
