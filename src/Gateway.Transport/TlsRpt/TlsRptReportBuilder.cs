using System.Globalization;
using System.IO.Compression;
using System.Text.Json;

namespace Gateway.Transport.TlsRpt;

/// <summary>
/// Writes the JSON report of RFC 8460 4.4 for one day's results of a policy domain. The member names and types
/// follow RFC 8460 4.3/4.4 exactly; written with <see cref="Utf8JsonWriter"/> so nothing depends on how a
/// serializer would name things. Pure: same input, same bytes.
/// </summary>
public sealed class TlsRptReportBuilder
{
    /// <summary>RFC 8460 5.3: the media type of a compressed report.</summary>
    public const string GzipMediaType = "application/tlsrpt+gzip";

    private readonly TlsRptReportOptions _options;

    public TlsRptReportBuilder(TlsRptReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OrganizationName);
        ArgumentException.ThrowIfNullOrEmpty(options.ContactInfo);
        ArgumentException.ThrowIfNullOrEmpty(options.SubmitterDomain);
        _options = options;
    }

    public TlsRptReport Build(TlsRptDailyResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var begin = new DateTimeOffset(results.Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = begin.AddDays(1);
        var beginSeconds = begin.ToUnixTimeSeconds();

        // The last second of the day is the inclusive end, as in the example of RFC 8460 4.4.
        var endSeconds = end.ToUnixTimeSeconds() - 1;
        var reportId = string.Create(CultureInfo.InvariantCulture, $"{results.Day:yyyy-MM-dd}T00:00:00Z_{results.PolicyDomain}@{_options.SubmitterDomain}");
        var json = Json(results, reportId, begin, end.AddSeconds(-1));
        return new TlsRptReport(
            results.PolicyDomain,
            reportId,
            begin,
            end,
            json,
            Compress(json),
            // RFC 8460 5.1: sender "!" policy-domain "!" begin-timestamp "!" end-timestamp [ "!" unique-id ] "." extension
            string.Create(CultureInfo.InvariantCulture, $"{_options.SubmitterDomain}!{results.PolicyDomain}!{beginSeconds}!{endSeconds}.json.gz"),
            $"Report Domain: {results.PolicyDomain} Submitter: {_options.SubmitterDomain} Report-ID: <{reportId}>");
    }

    private byte[] Json(TlsRptDailyResults results, string reportId, DateTimeOffset start, DateTimeOffset end)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteString("organization-name", _options.OrganizationName);
            json.WriteStartObject("date-range");
            json.WriteString("start-datetime", Rfc3339(start));
            json.WriteString("end-datetime", Rfc3339(end));
            json.WriteEndObject();
            json.WriteString("contact-info", _options.ContactInfo);
            json.WriteString("report-id", reportId);
            json.WriteStartArray("policies");
            foreach (var result in results.Policies)
            {
                WritePolicy(json, result);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WritePolicy(Utf8JsonWriter json, TlsRptPolicyResults result)
    {
        json.WriteStartObject();
        json.WriteStartObject("policy");
        json.WriteString("policy-type", result.Policy.PolicyType);
        WriteStrings(json, "policy-string", result.Policy.PolicyStrings);
        json.WriteString("policy-domain", result.Policy.PolicyDomain);
        WriteStrings(json, "mx-host", result.Policy.MxHosts);
        json.WriteEndObject();
        json.WriteStartObject("summary");
        json.WriteNumber("total-successful-session-count", result.SuccessfulSessions);
        json.WriteNumber("total-failure-session-count", result.FailedSessions);
        json.WriteEndObject();
        if (result.Failures.Count > 0)
        {
            json.WriteStartArray("failure-details");
            foreach (var (failure, sessions) in result.Failures)
            {
                json.WriteStartObject();
                json.WriteString("result-type", failure.ResultType);
                WriteOptional(json, "sending-mta-ip", failure.SendingMtaIp?.ToString());
                WriteOptional(json, "receiving-mx-hostname", failure.ReceivingMxHostname);
                WriteOptional(json, "receiving-ip", failure.ReceivingIp?.ToString());
                json.WriteNumber("failed-session-count", sessions);
                WriteOptional(json, "additional-information", failure.AdditionalInformation);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static byte[] Compress(byte[] json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return output.ToArray();
    }
}
