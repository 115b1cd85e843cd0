using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Gateway.Spam.External;

/// <summary>The envelope and session facts rspamd is told with a message (its HTTP protocol's request headers).</summary>
/// <param name="ClientAddress">The SMTP client's address (header IP).</param>
/// <param name="Helo">The EHLO/HELO name, if any.</param>
/// <param name="From">The envelope sender; empty for the null reverse-path.</param>
/// <param name="Recipients">The envelope recipients (one Rcpt header each).</param>
/// <param name="QueueId">Our queue id, so both logs name the same message.</param>
public sealed record RspamdRequest(IPAddress? ClientAddress, string? Helo, string From, IReadOnlyList<string> Recipients, string QueueId);

/// <summary>rspamd's verdict: its score against its own threshold, the action it would take, and its symbols.</summary>
public sealed record RspamdResult(double Score, double RequiredScore, string Action, IReadOnlyList<string> Symbols, bool Skipped);

/// <summary>
/// A client of rspamd's normal worker: POST /checkv2 with the message as the body and the envelope in request headers
/// (IP, Helo, From, Rcpt, Queue-Id), answered with JSON (score, required_score, action, symbols). Transport
/// failures, HTTP errors and answers that are not such JSON are thrown; the caller's token bounds the time.
/// </summary>
public sealed class RspamdClient
{
    private const int MaxAnswer = 1024 * 1024;

    /// <summary>One connection pool for every snapshot's client (policy reloads make new clients, not new sockets).</summary>
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        MaxResponseContentBufferSize = MaxAnswer,
    };

    private readonly Uri _check;

    public RspamdClient(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var text = baseUrl.AbsoluteUri;
        _check = new Uri(text.EndsWith('/') ? text + "checkv2" : text + "/checkv2");
    }

    public async Task<RspamdResult> CheckAsync(Stream content, RspamdRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, _check) { Content = new StreamContent(content) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        var headers = message.Headers;
        if (request.ClientAddress is { } address)
        {
            headers.TryAddWithoutValidation("IP", address.ToString());
        }

        if (request.Helo is { Length: > 0 } helo)
        {
            headers.TryAddWithoutValidation("Helo", helo);
        }

        headers.TryAddWithoutValidation("From", request.From.Length == 0 ? "<>" : request.From);
        foreach (var recipient in request.Recipients)
        {
            headers.TryAddWithoutValidation("Rcpt", recipient);
        }

        headers.TryAddWithoutValidation("Queue-Id", request.QueueId);
        using var response = await Http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"rspamd answered HTTP {(int)response.StatusCode}"));
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Parse(body);
    }

    /// <summary>The parts of a /checkv2 answer we use; anything else about it is a <see cref="FormatException"/>.</summary>
    public static RspamdResult Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("score", out var score) || score.ValueKind != JsonValueKind.Number
                || !root.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String)
            {
                throw new FormatException("rspamd's answer has no score and action");
            }

            var required = root.TryGetProperty("required_score", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetDouble() : double.NaN;
            var skipped = root.TryGetProperty("is_skipped", out var s) && s.ValueKind == JsonValueKind.True;
            var symbols = new List<string>();
            if (root.TryGetProperty("symbols", out var list) && list.ValueKind == JsonValueKind.Object)
            {
                foreach (var symbol in list.EnumerateObject())
                {
                    symbols.Add(symbol.Name);
                }
            }

            var value = score.GetDouble();
            if (!double.IsFinite(value))
            {
                throw new FormatException("rspamd's score is not a finite number");
            }

            return new RspamdResult(value, required, action.GetString()!, symbols, skipped);
        }
        catch (JsonException ex)
        {
            throw new FormatException("rspamd's answer is not JSON: " + ex.Message, ex);
        }
    }
}
