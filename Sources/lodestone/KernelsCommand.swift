import ArgumentParser
import Foundation
import VectorKernels

struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Show which distance-kernel instruction sets this CPU supports and which is used."
    )

    func run() {
        for isa in KernelISA.allCases {
            let mark = isa == KernelISA.best ? "*" : " "
            print("\(mark) \(isa.shortName.padding(toLength: 8, withPad: " ", startingAt: 0)) \(isa.isSupported ? "supported" : "not supported")  \(isa)")
        }
        print("quantized codes (int8):")
        for level in CodeKernel.Level.allCases {
            let mark = level == CodeKernel.Level.best ? "*" : " "
            print("\(mark) \(level.description.padding(toLength: 24, withPad: " ", startingAt: 0)) \(level.isSupported ? "supported" : "not supported")")
        }
        print("binary codes (1 bit):")
        for level in BitKernel.Level.allCases {
            let mark = level == BitKernel.Level.best ? "*" : " "
            print("\(mark) \(level.description.padding(toLength: 24, withPad: " ", startingAt: 0)) \(level.isSupported ? "supported" : "not supported")")
        }
        print("BLAS threads: \(BLAS.threadCount)")
    }
}
