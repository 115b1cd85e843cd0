using System.Text;
using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

/// <summary>
/// Reads the main policy file and, depth first in document order, every file it includes, merging their
/// top-level keys. Each top-level key may be defined once across all files; a second definition is an
/// error at the second place, naming the first.
/// </summary>
internal sealed class IncludeResolver
{
    /// <summary>Main file = depth 0; an include chain deeper than this is an error.</summary>
    public const int MaxIncludeDepth = 8;

    /// <summary>A policy file larger than this is refused before parsing (a policy is a few KiB).</summary>
    public const long MaxFileSize = 1024 * 1024;

    public const string IncludeKey = "include";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<PolicyError> _errors;
    private readonly List<string> _files = [];
    private readonly List<YamlEntry> _topLevel = [];
    private readonly Dictionary<string, YamlEntry> _defined = new(StringComparer.Ordinal);
    private readonly List<string> _stack = [];

    public IncludeResolver(List<PolicyError> errors)
    {
        _errors = errors;
    }

    /// <summary>Every file read, absolute, in the order read.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>The merged top-level entries (without include:), in document order.</summary>
    public IReadOnlyList<YamlEntry> TopLevel => _topLevel;

    /// <summary>Loads the main file and its includes; null when the main file itself could not be read or parsed.</summary>
    public YamlMapping? LoadMain(string fullPath) => LoadFile(fullPath, null, 0);

    private YamlMapping? LoadFile(string fullPath, SourcePosition? includedAt, int depth)
    {
        var text = ReadText(fullPath, includedAt);
        if (text is null)
        {
            return null;
        }

        _files.Add(fullPath);
        var root = YamlDocumentReader.Read(fullPath, text, _errors);
        if (root is null)
        {
            return null;
        }

        if (root is not YamlMapping map)
        {
            _errors.Add(root.Position.Error($"the top level of a policy file must be a mapping of keys, found {root.Description}"));
            return null;
        }

        _stack.Add(fullPath);
        foreach (var entry in map.Entries)
        {
            if (entry.Key.Value == IncludeKey)
            {
                Include(entry, depth);
                continue;
            }

            if (_defined.TryGetValue(entry.Key.Value, out var first))
            {
                var at = first.Key.Position;
                _errors.Add(entry.Key.Position.Error($"'{Echo.Of(entry.Key.Value)}' is already defined at {at.File}:{at.Line}:{at.Column}"));
                continue;
            }

            _defined.Add(entry.Key.Value, entry);
            _topLevel.Add(entry);
        }

        _stack.RemoveAt(_stack.Count - 1);
        return map;
    }

    private void Include(YamlEntry entry, int depth)
    {
        if (entry.Value is YamlScalar { IsNull: true })
        {
            return;
        }

        if (entry.Value is not YamlSequence list)
        {
            _errors.Add(entry.Value.Position.Error($"include: expected a sequence of file names, found {entry.Value.Description}"));
            return;
        }

        var directory = Path.GetDirectoryName(entry.Key.Position.File) ?? string.Empty;
        foreach (var item in list.Items)
        {
            if (item is not YamlScalar scalar || scalar.IsNull || scalar.Value.Length == 0 || scalar.Value.Contains('\0', StringComparison.Ordinal))
            {
                _errors.Add(item.Position.Error($"include: expected a file name, found {item.Description}"));
                continue;
            }

            string target;
            try
            {
                target = Path.GetFullPath(scalar.Value, directory);
            }
            catch (ArgumentException)
            {
                _errors.Add(item.Position.Error($"include: '{scalar.Value}' is not a valid path"));
                continue;
            }

            if (_stack.Contains(target, StringComparer.Ordinal))
            {
                var cycle = string.Join(" -> ", _stack.SkipWhile(f => f != target).Append(target));
                _errors.Add(item.Position.Error($"include cycle: {cycle}"));
                continue;
            }

            if (depth + 1 > MaxIncludeDepth)
            {
                _errors.Add(item.Position.Error($"include: nesting deeper than {MaxIncludeDepth} levels"));
                continue;
            }

            LoadFile(target, item.Position, depth + 1);
        }
    }

    private string? ReadText(string fullPath, SourcePosition? includedAt)
    {
        PolicyError Error(string message) =>
            includedAt is { } at ? at.Error($"included file '{fullPath}': {message}") : new PolicyError(fullPath, 1, 1, message);

        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxFileSize)
            {
                _errors.Add(Error($"file is larger than {MaxFileSize} octets"));
                return null;
            }

            using var reader = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false);
            var text = reader.ReadToEnd();

            // A UTF-8 byte order mark is harmless; strip it so column numbers on line 1 stay right.
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            _errors.Add(Error("file not found") with { MissingFile = fullPath });
        }
        catch (DecoderFallbackException)
        {
            _errors.Add(Error("file is not valid UTF-8"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            _errors.Add(Error($"cannot read file: {ex.Message}"));
        }

        return null;
    }
}
