namespace ModelZoo.Data.Mnist;

/// <summary>A file to download and verify: its name on the mirrors, its exact size, and its checksum.</summary>
/// <param name="Name">File name (appended to each mirror base URL, and used in the cache).</param>
/// <param name="Size">Exact size in bytes, or null when unknown (then the checksum alone decides, and at most 256 MiB are accepted).</param>
/// <param name="Sha256">Expected SHA-256 (lower-case hex), or null when only an MD5 is published.</param>
/// <param name="Md5">Expected MD5 (lower-case hex), checked when given (used where no SHA-256 is published).</param>
public sealed record DownloadFile(string Name, long? Size, string? Sha256, string? Md5 = null);
