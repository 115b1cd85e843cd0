using System.Security.Cryptography;
using System.Text;

namespace Gateway.Smime.Vault;

/// <summary>
/// Who a vault entry belongs to: <c>user@domain</c> or <c>domain</c>, lower-cased. Local parts are
/// compared case-insensitively, as every mail system we relay for treats them, so one person cannot end
/// up with two escrowed keys that differ by case.
/// </summary>
public sealed record VaultIdentity
{
    private const int MaxLocalPart = 64;
    private const int MaxDomain = 253;

    private VaultIdentity(VaultIdentityKind kind, string name)
    {
        Kind = kind;
        Name = name;
    }

    public VaultIdentityKind Kind { get; }

    /// <summary>The canonical form: <c>alice@example.org</c> or <c>example.org</c>.</summary>
    public string Name { get; }

    public string? Domain => Kind == VaultIdentityKind.Domain ? Name : Name[(Name.LastIndexOf('@') + 1)..];

    public static VaultIdentity Parse(string text)
    {
        if (!TryParse(text, out var identity, out var problem))
        {
            throw new FormatException(problem);
        }

        return identity;
    }

    public static bool TryParse(string? text, out VaultIdentity identity, out string problem)
    {
        identity = null!;
        var value = text?.Trim().ToLowerInvariant() ?? "";
        var at = value.LastIndexOf('@');
        var domain = at < 0 ? value : value[(at + 1)..];
        if (!IsDomain(domain))
        {
            problem = "not a mail domain or user@domain";
            return false;
        }

        if (at >= 0)
        {
            var local = value[..at];
            if (local.Length is 0 or > MaxLocalPart || local.Any(c => c <= ' ' || c == 0x7F || c == '@'))
            {
                problem = "the local part must be 1..64 printable characters without spaces";
                return false;
            }
        }

        identity = new VaultIdentity(at < 0 ? VaultIdentityKind.Domain : VaultIdentityKind.User, value);
        problem = "";
        return true;
    }

    public override string ToString() => Name;

    private static bool IsDomain(string domain) =>
        domain.Length is > 0 and <= MaxDomain
        && domain.Split('.') is { Length: >= 2 } labels
        && labels.All(label => label.Length is > 0 and <= 63
            && label[0] != '-' && label[^1] != '-'
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));

    /// <summary>The entry's file name: a hash, so no address (however odd its local part) becomes a path.</summary>
    internal string FileStem() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Name)))[..32];
}
