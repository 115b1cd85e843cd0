using System.Text;
using Gateway.Abstractions;

namespace Gateway.Policy;

/// <summary>
/// The SMTP AUTH user list: one <c>user:&lt;hash&gt;</c> per line where the hash is a
/// <see cref="PasswordHash"/> encoding; lines starting with '#' (after optional blanks) and blank lines are
/// ignored. User names are compared exactly (ordinal, case-sensitive) and may not contain ':', blanks or
/// control characters.
/// </summary>
/// <remarks>
/// <see cref="VerifyAsync"/> costs one PBKDF2 computation whether or not the user exists (an unknown user is
/// checked against a dummy hash with the highest iteration count in the file), so response time does not
/// reveal which users exist. The hashing runs on the thread pool, off the session's I/O path.
/// </remarks>
public sealed class CredentialsFile : ICredentialVerifier
{
    /// <summary>A credentials file larger than this is refused (about 30 000 users).</summary>
    public const long MaxFileSize = 4 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, string> _hashes;
    private readonly string _dummyHash;

    private CredentialsFile(string path, Dictionary<string, string> hashes, string dummyHash)
    {
        Path = path;
        _hashes = hashes;
        _dummyHash = dummyHash;
    }

    /// <summary>Absolute path the users were read from.</summary>
    public string Path { get; }

    public int Count => _hashes.Count;

    /// <summary>Reads and validates a credentials file; errors carry file:line:column, the file is null if any.</summary>
    public static (CredentialsFile? File, IReadOnlyList<PolicyError> Errors) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new List<PolicyError>();
        string fullPath;
        string text;
        try
        {
            fullPath = System.IO.Path.GetFullPath(path);
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxFileSize)
            {
                return (null, [new PolicyError(fullPath, 1, 1, $"credentials file is larger than {MaxFileSize} octets")]);
            }

            using var reader = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, [new PolicyError(path, 1, 1, "credentials file not found")]);
        }
        catch (DecoderFallbackException)
        {
            return (null, [new PolicyError(path, 1, 1, "credentials file is not valid UTF-8")]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return (null, [new PolicyError(path, 1, 1, $"cannot read credentials file: {ex.Message}")]);
        }

        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        var maxIterations = 0;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            if (lineNumber == 1 && line.StartsWith('\uFEFF'))
            {
                line = line[1..];
            }

            var trimmed = line.TrimStart(' ', '\t');
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                errors.Add(new PolicyError(fullPath, lineNumber, 1, "expected 'user:hash'"));
                continue;
            }

            var user = line[..colon];
            var hash = line[(colon + 1)..];
            if (user.Length == 0 || user.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                errors.Add(new PolicyError(fullPath, lineNumber, 1, "user name must be non-empty, without blanks or control characters"));
                continue;
            }

            if (!PasswordHash.TryParse(hash, out var iterations, out _, out _))
            {
                errors.Add(new PolicyError(fullPath, lineNumber, colon + 2, $"malformed password hash; expected {PasswordHash.Prefix}i=<iterations>$<salt base64>$<hash base64> with {PasswordHash.MinIterations}..{PasswordHash.MaxIterations} iterations"));
                continue;
            }

            if (firstLine.TryGetValue(user, out var first))
            {
                errors.Add(new PolicyError(fullPath, lineNumber, 1, $"user '{user}' is already defined on line {first}"));
                continue;
            }

            firstLine.Add(user, lineNumber);
            hashes.Add(user, hash);
            maxIterations = Math.Max(maxIterations, iterations);
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new CredentialsFile(fullPath, hashes, DummyHash(maxIterations == 0 ? PasswordHash.DefaultIterations : maxIterations)), []);
    }

    public async ValueTask<bool> VerifyAsync(string userName, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        var known = _hashes.TryGetValue(userName, out var encoded);

        // Unknown users burn the same work so timing does not enumerate accounts.
        var matches = await Task.Run(() => PasswordHash.Verify(password, encoded ?? _dummyHash), cancellationToken).ConfigureAwait(false);
        return known && matches;
    }

    /// <summary>A well-formed hash no password can match in practice (random salt and random "hash").</summary>
    private static string DummyHash(int iterations)
    {
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var hash = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        return $"{PasswordHash.Prefix}i={iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }
}
