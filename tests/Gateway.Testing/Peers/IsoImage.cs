namespace Gateway.Testing.Peers;

/// <summary>ISO 9660 disk images made by Debian's xorriso (its mkisofs emulation) from files given in memory.</summary>
public static class IsoImage
{
    /// <summary>An image of the files (relative paths), with a Joliet tree (Unicode names, what Windows shows) unless <paramref name="joliet"/> is false.</summary>
    public static Task<byte[]> CreateAsync(bool joliet, params (string Path, byte[] Content)[] files) =>
        CreateAsync(joliet ? ["-J"] : [], files);

    /// <summary>An image of the files made with these mkisofs options ("-J" Joliet, "-R" Rock Ridge).</summary>
    public static async Task<byte[]> CreateAsync(IReadOnlyList<string> options, params (string Path, byte[] Content)[] files)
    {
        var directory = TestDirectories.CreateTemp("gw-iso");
        try
        {
            var root = Path.Combine(directory, "root");
            Directory.CreateDirectory(root);
            foreach (var (path, content) in files)
            {
                var full = Path.Combine(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllBytesAsync(full, content);
            }

            var image = Path.Combine(directory, "out.iso");
            List<string> args = ["-as", "mkisofs", "-quiet", "-o", image, .. options, root];
            var (exitCode, output) = await ExternalTool.RunAsync("xorriso", args, TimeSpan.FromSeconds(60));
            if (exitCode != 0)
            {
                throw new InvalidOperationException("xorriso failed: " + output);
            }

            return await File.ReadAllBytesAsync(image);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
