using System.Text;
using Gateway.Policy;
using Gateway.Spam.Attachments;
using Gateway.Spam.Scoring;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>What one finding is, in the policy's terms.</summary>
internal enum FindingKind
{
    /// <summary>A blocked real type or name extension.</summary>
    Blocked,

    /// <summary>An archive bomb (claims, expansion, member count or ratio over the limits).</summary>
    Bomb,

    /// <summary>An encrypted archive member.</summary>
    Encrypted,

    /// <summary>Something that could not be looked into: a damaged archive, one nested too deep, too many parts.</summary>
    Unchecked,
}

/// <param name="Kind">What was found.</param>
/// <param name="Path">Where ("invoice.zip/setup.exe"), as the scanner names it.</param>
/// <param name="Why">The reason in words, as the reply and the log give it ("is a blocked file type (pe)").</param>
/// <param name="Action">What the domain's policy does about it.</param>
internal sealed record AttachmentFinding(FindingKind Kind, string Path, string Why, AttachmentAction Action)
{
    public string KindName => Kind switch
    {
        FindingKind.Blocked => "blocked",
        FindingKind.Bomb => "bomb",
        FindingKind.Encrypted => "encrypted",
        _ => "unchecked",
    };
}

/// <summary>
/// One domain's attachment policy applied to what the scanner found: every finding with the action it calls for,
/// and the spam reasons (one per kind of finding) a tagged message gets.
/// </summary>
internal sealed class AttachmentFindings
{
    private AttachmentFindings(List<AttachmentFinding> findings, List<SpamReason> reasons)
    {
        Findings = findings;
        Reasons = reasons;
    }

    public IReadOnlyList<AttachmentFinding> Findings { get; }

    public IReadOnlyList<SpamReason> Reasons { get; }

    /// <summary>The first finding the policy rejects for; null when it only tags (or found nothing).</summary>
    public AttachmentFinding? Rejection => Findings.FirstOrDefault(f => f.Action == AttachmentAction.Reject);

    public double Points => Reasons.Sum(r => r.Score);

    public static AttachmentFindings Evaluate(AttachmentPolicy policy, AttachmentScan scan)
    {
        var findings = new List<AttachmentFinding>();
        foreach (var file in scan.Files)
        {
            if (file.Type is { } type && policy.Blocks(type.Name, type.Category))
            {
                findings.Add(new(FindingKind.Blocked, file.Path, "is a blocked file type (" + type.Name + ")", policy.Action));
            }
            else if (FileSignatures.Extension(file.Name) is { } extension && policy.BlockExtensions.Contains(extension, StringComparer.Ordinal))
            {
                findings.Add(new(FindingKind.Blocked, file.Path, "has a blocked file name extension (" + extension + ")", policy.Action));
            }

            if (file.Encrypted)
            {
                findings.Add(new(FindingKind.Encrypted, file.Path, "is encrypted and cannot be checked", policy.EncryptedArchives));
            }
        }

        foreach (var issue in scan.Issues)
        {
            findings.Add(issue.Kind switch
            {
                ScanIssueKind.Bomb => new(FindingKind.Bomb, issue.Path, "is an archive bomb: " + issue.Detail, policy.Action),
                // MIME structure that hides parts from the scan is the sender's choice, never needed by real mail: it
                // gets what a blocked file gets, or hiding a blocked file in it would be the way past the policy.
                ScanIssueKind.TooManyParts or ScanIssueKind.Structure => new(FindingKind.Unchecked, issue.Path, "cannot be checked: " + issue.Detail, policy.Action),
                _ => new(FindingKind.Unchecked, issue.Path, "cannot be checked: " + issue.Detail, policy.EncryptedArchives),
            });
        }

        var reasons = new List<SpamReason>();
        foreach (var kind in findings.Select(f => f.Kind).Distinct())
        {
            reasons.Add(kind switch
            {
                FindingKind.Blocked => new SpamReason("ATTACH_BLOCKED", policy.Score),
                FindingKind.Bomb => new SpamReason("ATTACH_BOMB", policy.Score),
                FindingKind.Encrypted => new SpamReason("ATTACH_ENCRYPTED", policy.EncryptedScore),
                _ => new SpamReason("ATTACH_UNCHECKED", policy.EncryptedScore),
            });
        }

        return new AttachmentFindings(findings, reasons);
    }

    /// <summary>
    /// Text the client or the internal server may see: printable ASCII without quotes or semicolons, at most
    /// <paramref name="max"/> characters; anything else in a name becomes '?'.
    /// </summary>
    public static string Clean(string text, int max = 100)
    {
        var clean = new StringBuilder(Math.Min(text.Length, max + 3));
        foreach (var c in text)
        {
            if (clean.Length >= max)
            {
                clean.Append("...");
                break;
            }

            clean.Append(c is >= ' ' and <= '~' and not '"' and not ';' and not '\\' ? c : '?');
        }

        return clean.ToString();
    }
}
