package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.Backend;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.testing.FdCount;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code Backend.address} is where a direct buffer's byte 0 is, whatever the buffer's position, on whichever backend
 * this run uses: the kernel is given that address and must find byte 0 there.
 */
@ExtendWith(FdCount.class)
class BackendAddressTest {

    @Test
    void theAddressIsByteZerosWhateverTheBuffersPosition() {
        Backend backend = NativeIo.get().backend();
        ByteBuffer buffer = ByteBuffer.allocateDirect(16).put(0, (byte) 42);
        buffer.position(5);
        long address = backend.address(buffer);
        assertThat(buffer.position()).as("the buffer is left as it was").isEqualTo(5);
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd();
                TokenPipeEnd writer = pipe.takeWriteEnd()) {
            assertThat(backend.libc().write(writer.handle().fd(), address, 1)).as(backend.name()).isOne();
            Reference.reachabilityFence(buffer); // its memory must outlive the write that reads it
            assertThat(reader.tokenRead()).as("the byte the kernel found at the address").isEqualTo(42);
        }
    }
}
