using System.Reflection;

namespace Gateway.Authentication.PublicSuffix;

/// <summary>
/// The Public Suffix List (https://publicsuffix.org) as used by DMARC to find Organizational Domains
/// (RFC 7489 3.2). Immutable after loading and safe to share between threads; load it once and reuse it.
/// </summary>
/// <remarks>
/// <para>
/// Both sections of the list are used, ICANN and PRIVATE: a private suffix such as a hosting provider's
/// "customer.provider.example" separates domains under different control just as "co.uk" does, so a customer's
/// mail must not align with its neighbour's (RFC 7489 3.2 does not distinguish the sections; OpenDMARC and most
/// receivers use the whole file). <see cref="Load(TextReader, bool)"/> can leave the PRIVATE section out.
/// </para>
/// <para>
/// The shipped copy is an embedded resource taken from Debian's <c>publicsuffix</c> package; see
/// PublicSuffix/README.md for how to update it, or point the policy at a fresher file (<see cref="LoadFile"/>).
/// </para>
/// </remarks>
public sealed class PublicSuffixList
{
    private const string ResourceName = "Gateway.Authentication.PublicSuffix.public_suffix_list.dat";
    private const string PrivateSectionMarker = "===BEGIN PRIVATE DOMAINS===";

    private readonly Dictionary<string, RuleKinds>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private PublicSuffixList(Dictionary<string, RuleKinds> rules)
    {
        _lookup = rules.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    [Flags]
    private enum RuleKinds : byte
    {
        None = 0,

        /// <summary>"example": the name itself is a public suffix.</summary>
        Exact = 1,

        /// <summary>"*.example": every child of the name is a public suffix.</summary>
        Wildcard = 2,

        /// <summary>"!www.example": the name is not a public suffix although a wildcard covers it.</summary>
        Exception = 4,
    }

    /// <summary>How many rules were loaded (each of exact, wildcard and exception counts once).</summary>
    public int RuleCount { get; private init; }

    /// <summary>Loads the copy of the list shipped inside this assembly.</summary>
    public static PublicSuffixList LoadEmbedded()
    {
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Resource {ResourceName} is missing from {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return Load(reader);
    }

    /// <summary>Loads a list in the publicsuffix.org format from a file (UTF-8).</summary>
    public static PublicSuffixList LoadFile(string path)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8);
        return Load(reader);
    }

    /// <summary>
    /// Parses a list in the publicsuffix.org format: one rule per line, the rule ending at the first white
    /// space, "//" comments, "*." wildcards and "!" exceptions. Rules that are not valid names are skipped.
    /// </summary>
    /// <param name="reader">The list text.</param>
    /// <param name="includePrivateDomains">False to stop at the PRIVATE section and use ICANN rules only.</param>
    public static PublicSuffixList Load(TextReader reader, bool includePrivateDomains = true)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rules = new Dictionary<string, RuleKinds>(StringComparer.Ordinal);
        var count = 0;
        while (reader.ReadLine() is { } line)
        {
            var text = line.AsSpan().Trim();
            if (text.StartsWith("//", StringComparison.Ordinal))
            {
                if (!includePrivateDomains && text.Contains(PrivateSectionMarker, StringComparison.Ordinal))
                {
                    break;
                }

                continue;
            }

            var end = text.IndexOfAny(' ', '\t');
            if (end >= 0)
            {
                text = text[..end];
            }

            if (text.IsEmpty)
            {
                continue;
            }

            var kind = RuleKinds.Exact;
            if (text[0] == '!')
            {
                kind = RuleKinds.Exception;
                text = text[1..];
            }
            else if (text.StartsWith("*.", StringComparison.Ordinal))
            {
                kind = RuleKinds.Wildcard;
                text = text[2..];
            }

            // Wildcards other than a leading "*." are not used by the list and not supported by its algorithm.
            if (text.Contains('*') || !ObservedDomain.TryNormalize(text, out var name))
            {
                continue;
            }

            rules[name] = rules.GetValueOrDefault(name) | kind;
            count++;
        }

        return new PublicSuffixList(rules) { RuleCount = count };
    }

    /// <summary>
    /// The Organizational Domain of <paramref name="domain"/> (RFC 7489 3.2) in normalized form (A-labels,
    /// lowercase, no trailing dot). A name that is itself a public suffix is its own Organizational Domain.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a syntactically valid domain.</exception>
    public string GetOrganizationalDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return TryGetOrganizationalDomain(domain, out var organizational)
            ? organizational
            : throw new ArgumentException($"'{domain}' is not a valid domain name.", nameof(domain));
    }

    /// <summary>
    /// Like <see cref="GetOrganizationalDomain"/>, returning false instead of throwing for a name that is not a
    /// valid domain (verifiers use this one: bad input must never throw).
    /// </summary>
    public bool TryGetOrganizationalDomain(string? domain, out string organizationalDomain)
    {
        organizationalDomain = string.Empty;
        if (domain is null || !ObservedDomain.TryNormalize(domain, out var name))
        {
            return false;
        }

        var suffixLabels = CountPublicSuffixLabels(name);

        // RFC 7489 3.2 step 3: the public suffix plus one more label; a name that is a public suffix stays whole.
        var start = LabelStart(name, suffixLabels + 1);
        organizationalDomain = start <= 0 ? name : name[start..];
        return true;
    }

    /// <summary>True when the name is itself a public suffix (the list's rules, or the default rule "*").</summary>
    public bool IsPublicSuffix(string domain)
    {
        if (!ObservedDomain.TryNormalize(domain, out var name))
        {
            return false;
        }

        return LabelCount(name) <= CountPublicSuffixLabels(name);
    }

    // The number of labels of the public suffix of the name: the longest matching rule, where an exception rule
    // wins and stands for its own name minus the leftmost label; no match is the default rule "*" (one label).
    private int CountPublicSuffixLabels(string name)
    {
        var best = 1;
        var labels = 0;
        var parentKinds = RuleKinds.None;
        for (var i = name.Length; i > 0;)
        {
            var dot = name.LastIndexOf('.', i - 1);
            var start = dot + 1;
            labels++;
            var suffix = name.AsSpan(start);
            var kinds = _lookup.TryGetValue(suffix, out var found) ? found : RuleKinds.None;
            if ((kinds & RuleKinds.Exception) != 0)
            {
                return labels - 1;
            }

            if ((kinds & RuleKinds.Exact) != 0 || (parentKinds & RuleKinds.Wildcard) != 0)
            {
                best = labels;
            }

            parentKinds = kinds;
            if (dot < 0)
            {
                break;
            }

            i = dot;
        }

        return Math.Min(best, labels);
    }

    // Index where the rightmost `count` labels begin, or 0 when the name has `count` labels or fewer
    // (-1 stands for "fewer": there is no such label).
    private static int LabelStart(string name, int count)
    {
        var seen = 0;
        for (var i = name.Length - 1; i >= 0; i--)
        {
            if (name[i] == '.' && ++seen == count)
            {
                return i + 1;
            }
        }

        return seen + 1 == count ? 0 : -1;
    }

    private static int LabelCount(string name) => name.AsSpan().Count('.') + 1;
}
