using System.Text;

namespace Gateway.Smtp.Server.Logging;

/// <summary>
/// Client-chosen text that reaches the log outside the SMTP grammar's checks (SASL user names: RFC 4616 allows
/// any UTF-8 but NUL). The text log is one line per event, so control characters would let a client forge
/// lines (or terminal escapes); they become '?', and the length is capped.
/// </summary>
internal static class LogText
{
    private const int MaxLength = 256;

    public static string Safe(string text)
    {
        var limited = text.Length > MaxLength ? text[..MaxLength] : text;
        if (!NeedsCleaning(limited))
        {
            return limited;
        }

        var sb = new StringBuilder(limited.Length);
        foreach (var c in limited)
        {
            sb.Append(IsUnsafe(c) ? '?' : c);
        }

        return sb.ToString();
    }

    private static bool NeedsCleaning(string text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    // C0, DEL, C1 controls and the Unicode line/paragraph separators.
    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
