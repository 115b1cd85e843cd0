using System.Globalization;
using System.Text;
using Gateway.Syntax;

namespace Gateway.Abstractions;

/// <summary>
/// One SMTP reply: a three-digit code (RFC 5321 4.2), an optional RFC 3463 enhanced status code and
/// one or more text lines. Texts here are what the client sees; details belong in the log.
/// </summary>
public sealed record SmtpReply
{
    public SmtpReply(int code, string? enhancedCode, params IReadOnlyList<string> lines)
    {
        if (!ReplyCode.IsValid(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "SMTP reply codes are 2yz-5yz with y 0-5 (RFC 5321 4.2).");
        }

        if (lines.Count == 0)
        {
            throw new ArgumentException("A reply has at least one line.", nameof(lines));
        }

        Code = code;
        EnhancedCode = enhancedCode;
        Lines = lines;
    }

    public int Code { get; }

    /// <summary>RFC 3463 class.subject.detail, e.g. "5.7.1"; null where none applies (greeting, 354).</summary>
    public string? EnhancedCode { get; }

    public IReadOnlyList<string> Lines { get; }

    public bool IsPositive => Code < 400;

    public bool IsTransientFailure => Code is >= 400 and < 500;

    public bool IsPermanentFailure => Code >= 500;

    /// <summary>Renders the reply as sent on the wire, CRLF after each line (RFC 5321 4.2.1 multiline form).</summary>
    public string ToWireString(bool withEnhancedCode = true)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            sb.Append(Code.ToString(CultureInfo.InvariantCulture));
            sb.Append(i == Lines.Count - 1 ? ' ' : '-');
            if (withEnhancedCode && EnhancedCode is not null)
            {
                sb.Append(EnhancedCode).Append(' ');
            }

            sb.Append(Lines[i]).Append("\r\n");
        }

        return sb.ToString();
    }

    public override string ToString() =>
        EnhancedCode is null
            ? $"{Code} {string.Join(" / ", Lines)}"
            : $"{Code} {EnhancedCode} {string.Join(" / ", Lines)}";
}
