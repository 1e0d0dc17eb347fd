namespace ModelZoo.Data.Imaging;

/// <summary>Which library decodes JPEG files in <see cref="SafeImageDecoder"/>. The safety checks run in front of either.</summary>
public enum JpegBackend
{
    /// <summary>
    /// libjpeg-turbo when the system has it (Debian <c>libturbojpeg0</c>), ImageSharp otherwise; the environment
    /// variable <c>MODELZOO_JPEG_DECODER=imagesharp</c> forces ImageSharp. The default.
    /// </summary>
    Auto,

    /// <summary>ImageSharp 2.1, managed code, always present.</summary>
    ImageSharp,

    /// <summary>The system's libjpeg-turbo, required: creating the decoder fails when the library is missing.</summary>
    LibJpegTurbo,
}
