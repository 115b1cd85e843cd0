using System.Globalization;
using System.Net.Http.Headers;

namespace Gateway.Transport.TlsRpt;

/// <summary>
/// Posts reports to "https:" destinations (RFC 8460 5.4): the gzip'd report as the body with Content-Type
/// application/tlsrpt+gzip; any 2xx is success. The scheme is checked where the destination comes from (the record
/// parser keeps only mailto and https), so tests can post to a loopback listener over plain HTTP.
/// </summary>
public sealed class HttpsTlsRptReportSender : ITlsRptReportSender
{
    private readonly HttpClient _http;

    public HttpsTlsRptReportSender(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
    }

    public bool CanSend(Uri destination) => destination?.Scheme == Uri.UriSchemeHttps;

    public async ValueTask<TlsRptSendResult> SendAsync(TlsRptReport report, Uri destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(destination);
        using var content = new ReadOnlyMemoryContent(report.Gzip);
        content.Headers.ContentType = new MediaTypeHeaderValue(TlsRptReportBuilder.GzipMediaType);
        try
        {
            using var response = await _http.PostAsync(destination, content, ct).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? TlsRptSendResult.Success
                : new TlsRptSendResult(false, string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} from {destination.Host}"));
        }
        catch (HttpRequestException e)
        {
            return new TlsRptSendResult(false, $"POST to {destination.Host} failed: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new TlsRptSendResult(false, $"POST to {destination.Host} timed out");
        }
    }
}
