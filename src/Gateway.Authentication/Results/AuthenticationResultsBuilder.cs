using System.Text;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Results;

/// <summary>
/// Builds the one Authentication-Results header field (RFC 8601) the gateway adds to inbound mail: the
/// authserv-id, then one result per method ("none" when nothing was checked). Values are written as tokens when
/// they can be, else as quoted-strings (RFC 8601 2.2, RFC 2045 5.1); control characters from the message or the
/// envelope are dropped, so no CR or LF can ever be injected. The value is folded at about 78 columns
/// (RFC 5322 2.1.1) with CRLF followed by a tab, one method per line.
/// </summary>
public sealed class AuthenticationResultsBuilder
{
    /// <summary>The header field name.</summary>
    public const string FieldName = "Authentication-Results";

    private const int FoldColumn = 78;
    private const int MaxReasonLength = 200;

    private readonly string _authservId;
    private readonly List<List<string>> _methods = [];

    /// <param name="authservId">Our authentication service identifier, normally the host name (RFC 8601 2.5).</param>
    /// <exception cref="ArgumentException">The id is not an RFC 2045 token.</exception>
    public AuthenticationResultsBuilder(string authservId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(authservId);
        if (!ResultsValue.IsToken(authservId))
        {
            throw new ArgumentException("The authserv-id must be a token (a host name).", nameof(authservId));
        }

        _authservId = authservId;
    }

    /// <summary>How many method results were added.</summary>
    public int Count => _methods.Count;

    /// <summary>
    /// Adds "spf=result smtp.mailfrom=..." for a MAIL FROM check, or "smtp.helo=..." when
    /// <paramref name="mailFrom"/> is null or empty (null reverse-path: RFC 7208 2.4).
    /// </summary>
    public AuthenticationResultsBuilder AddSpf(SpfResult result, string? mailFrom, string? helo = null, string? reason = null)
    {
        var words = Start("spf", ResultNames.Of(result), reason);
        if (!string.IsNullOrEmpty(mailFrom))
        {
            words.Add("smtp.mailfrom=" + ResultsValue.Format(mailFrom));
        }
        else if (!string.IsNullOrEmpty(helo))
        {
            words.Add("smtp.helo=" + ResultsValue.Format(helo));
        }

        return this;
    }

    /// <summary>
    /// Adds "dkim=result header.d=... header.s=... header.b=..." for one signature. <paramref name="signature"/>
    /// is the b= value; its first eight characters identify the signature (RFC 6008 4).
    /// </summary>
    public AuthenticationResultsBuilder AddDkim(DkimResult result, string? domain, string? selector = null, string? signature = null, string? reason = null)
    {
        var words = Start("dkim", ResultNames.Of(result), reason);
        if (!string.IsNullOrEmpty(domain))
        {
            words.Add("header.d=" + ResultsValue.Format(domain));
        }

        if (!string.IsNullOrEmpty(selector))
        {
            words.Add("header.s=" + ResultsValue.Format(selector));
        }

        if (!string.IsNullOrEmpty(signature))
        {
            var compact = new StringBuilder(8);
            foreach (var c in signature)
            {
                if (compact.Length == 8)
                {
                    break;
                }

                if (!char.IsWhiteSpace(c))
                {
                    compact.Append(c);
                }
            }

            words.Add("header.b=" + ResultsValue.Format(compact.ToString()));
        }

        return this;
    }

    /// <summary>Adds "arc=result" (RFC 8617 4.4: none, pass, fail), e.g. from the ARC verifier's cv=.</summary>
    public AuthenticationResultsBuilder AddArc(string result, string? reason = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(result);
        Start("arc", ResultsValue.Format(result.ToLowerInvariant()), reason);
        return this;
    }

    /// <summary>
    /// Adds "dmarc=result (p=... dis=...) header.from=domain" (RFC 7489 11.2). The comment shows the policy the
    /// domain published for this message and the disposition applied.
    /// </summary>
    public AuthenticationResultsBuilder AddDmarc(DmarcEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var reason = evaluation.Result is DmarcResult.PermError or DmarcResult.TempError ? evaluation.Reason : null;
        var words = Start("dmarc", DmarcName(evaluation.Result), null);
        if (evaluation.Record is { } record && evaluation.Policy is { } policy)
        {
            var comment = new StringBuilder("(p=").Append(PolicyName(record.Policy));
            if (evaluation.PolicySource == DmarcPolicySource.Subdomain && record.SubdomainPolicy is not null)
            {
                comment.Append(" sp=").Append(PolicyName(policy));
            }
            else if (evaluation.PolicySource == DmarcPolicySource.NonExistentSubdomain)
            {
                comment.Append(" np=").Append(PolicyName(policy));
            }

            comment.Append(" dis=").Append(PolicyName(evaluation.Disposition)).Append(')');
            words.Add(comment.ToString());
        }

        if (reason is not null)
        {
            words.Add("reason=" + ResultsValue.Quote(Truncate(reason)));
        }

        if (evaluation.HeaderFrom is { } from)
        {
            words.Add("header.from=" + ResultsValue.Format(from));
        }

        return this;
    }

    /// <summary>
    /// Adds any other method result (RFC 8601 2.2 resinfo): "method=result [reason=...] ptype.property=value...".
    /// </summary>
    public AuthenticationResultsBuilder AddMethod(string method, string result, string? reason = null, IEnumerable<KeyValuePair<string, string>>? properties = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(result);
        if (!ResultsValue.IsKeyword(method) || !ResultsValue.IsKeyword(result))
        {
            throw new ArgumentException("Method and result must be keywords (RFC 8601 2.2).");
        }

        var words = Start(method.ToLowerInvariant(), result.ToLowerInvariant(), reason);
        foreach (var (property, value) in properties ?? [])
        {
            if (!ResultsValue.IsProperty(property))
            {
                throw new ArgumentException($"'{property}' is not a ptype.property name.", nameof(properties));
            }

            words.Add(property + "=" + ResultsValue.Format(value));
        }

        return this;
    }

    /// <summary>The field value, folded as if it followed "Authentication-Results: " on the first line.</summary>
    public string BuildValue()
    {
        var text = new StringBuilder(256);
        text.Append(_authservId).Append(';');
        if (_methods.Count == 0)
        {
            // RFC 8601 2.2: "none" when no authentication was performed.
            return text.Append(" none").ToString();
        }

        for (var m = 0; m < _methods.Count; m++)
        {
            var words = _methods[m];
            text.Append("\r\n\t");
            var column = 1;
            for (var w = 0; w < words.Count; w++)
            {
                var word = words[w];
                var last = w == words.Count - 1 && m < _methods.Count - 1 ? ";" : string.Empty;
                if (w > 0)
                {
                    if (column + 1 + word.Length + last.Length > FoldColumn)
                    {
                        text.Append("\r\n\t");
                        column = 1;
                    }
                    else
                    {
                        text.Append(' ');
                        column++;
                    }
                }

                text.Append(word).Append(last);
                column += word.Length + last.Length;
            }
        }

        return text.ToString();
    }

    /// <summary>The whole header field: "Authentication-Results: value" and CRLF.</summary>
    public string BuildField() => FieldName + ": " + BuildValue() + "\r\n";

    /// <inheritdoc />
    public override string ToString() => BuildValue();

    private List<string> Start(string method, string result, string? reason)
    {
        var words = new List<string>(4) { method + "=" + result };
        if (!string.IsNullOrEmpty(reason))
        {
            words.Add("reason=" + ResultsValue.Quote(Truncate(reason)));
        }

        _methods.Add(words);
        return words;
    }

    private static string Truncate(string reason) => reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength];



    private static string DmarcName(DmarcResult result) => result switch
    {
        DmarcResult.None => "none",
        DmarcResult.Pass => "pass",
        DmarcResult.Fail => "fail",
        DmarcResult.TempError => "temperror",
        _ => "permerror",
    };

    private static string PolicyName(DmarcPolicy policy) => policy switch
    {
        DmarcPolicy.Quarantine => "quarantine",
        DmarcPolicy.Reject => "reject",
        _ => "none",
    };
}
