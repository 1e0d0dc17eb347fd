using Google.Protobuf;
using Onnx;

namespace ModelZoo.Onnx;

/// <summary>Writing ONNX files.</summary>
internal static class OnnxFiles
{
    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> through a temporary file in the same folder and a
    /// rename, so a failure leaves no partial file and an existing file is replaced only by a complete one. Returns the full path.
    /// </summary>
    public static string WriteAtomically(ModelProto model, string path)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                model.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return full;
    }
}
